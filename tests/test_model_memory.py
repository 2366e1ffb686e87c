"""The engine on the in-memory store agrees with the reference model."""

from jointinspect.memory import MemoryStore
from jointinspect.testing.model import engine_machine

TestMemoryModel = engine_machine(MemoryStore, max_examples=40).TestCase
