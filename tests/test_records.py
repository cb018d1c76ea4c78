"""``fast_init`` must change nothing but the speed of building a frozen dataclass."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest
from mlseq import geometry, lexer, model
from mlseq._records import fast_init


@fast_init
@dataclasses.dataclass(frozen=True)
class _Sample:
    x: int
    y: str = "y"
    items: list[int] = dataclasses.field(default_factory=list)


def test_same_construction_semantics_as_a_frozen_dataclass() -> None:
    a = _Sample(1)
    assert a == _Sample(x=1, y="y", items=[])
    assert hash(_Sample(1, "z", ())) == hash(_Sample(1, "z", ()))  # type: ignore[arg-type]
    assert repr(a) == "_Sample(x=1, y='y', items=[])"
    assert _Sample(1).items is not _Sample(1).items  # a fresh default each time
    assert dataclasses.replace(a, y="q") == _Sample(1, "q")
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.x = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        _Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword"):
        _Sample(1, z=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values"):
        _Sample(1, x=2)  # type: ignore[misc]


def test_refuses_what_it_cannot_keep_frozen() -> None:
    @dataclasses.dataclass
    class Mutable:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        x: int

    for cls in (Mutable, Slotted, int):
        with pytest.raises(TypeError, match="frozen dataclass"):
            fast_init(cls)


def _records() -> list[type]:
    found = []
    for module in (model, geometry, lexer):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and dataclasses.is_dataclass(cls):
                found.append(cls)
    return found


@pytest.mark.parametrize("cls", _records(), ids=lambda c: c.__qualname__)
def test_every_record_keeps_its_dataclass_signature(cls: type) -> None:
    """The generated ``__init__`` takes exactly the parameters and defaults the dataclass
    one would (compared against a plain frozen dataclass with the same fields)."""
    plain = dataclasses.make_dataclass(
        cls.__name__,
        [(f.name, f.type, f) for f in dataclasses.fields(cls)],
        frozen=True,
    )
    ours = inspect.signature(cls.__init__)
    theirs = inspect.signature(plain.__init__)
    assert list(ours.parameters) == list(theirs.parameters)
    for f in dataclasses.fields(cls):
        mine, param = ours.parameters[f.name], theirs.parameters[f.name]
        assert mine.kind == param.kind
        if f.default is not dataclasses.MISSING:
            assert mine.default == param.default == f.default
        else:  # required, or a default factory: required in neither, or in both
            assert (mine.default is inspect.Parameter.empty) == (
                param.default is inspect.Parameter.empty)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
