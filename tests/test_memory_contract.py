from jointinspect.memory import MemoryStore
from jointinspect.ports import Store
from jointinspect.testing.contract import StoreContract


class TestMemoryStore(StoreContract):
    def make_store(self) -> Store:
        return MemoryStore()
