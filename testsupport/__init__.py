"""Test support shared by the core's and the adapters' test suites (not shipped).

:mod:`testsupport.servers` starts throwaway PostgreSQL, MariaDB, Redis and Redis Cluster
servers on loopback for the tests; the root ``conftest.py`` turns them into pytest fixtures.
"""
