"""The repositories of a unit of work (``uow.plans``, ``uow.outbox``, ...), by record.

==================  =====================================================
``reference``       enterprises, departments, inspectors, items, scenarios
``plans``           plans and inspections
``fieldwork``       visits, results, rectifications, evaluations, complaints
``outbox``          notifications waiting for the relay
``audit``           the hash-chained audit log
==================  =====================================================

Each is made on access by :class:`jointinspect_sqlalchemy.unit_of_work.SQLUnitOfWork` and
runs its statements through it.
"""
