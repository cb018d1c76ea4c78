"""``fast_init`` must change nothing but the speed of building a frozen, slotted dataclass."""

from __future__ import annotations

import copy
import dataclasses
import gc
import inspect
import pickle

import pytest
from mlseq import geometry, lexer, model
from mlseq._records import fast_init, maker


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
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


def test_what_it_builds_is_the_record_itself() -> None:
    """The building twin never escapes: the instance is of the record's class, has only
    its slots, and copies, pickles and replacements are records too."""
    a = _Sample(1, "z", [2])
    assert type(a) is _Sample and a.__class__ is _Sample
    assert isinstance(a, _Sample)
    assert not hasattr(a, "__dict__")
    with pytest.raises(AttributeError):
        object.__getattribute__(a, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        del a.y  # type: ignore[misc]
    for made in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a)),
                 pickle.loads(pickle.dumps(a, protocol=0)), dataclasses.replace(a)):
        assert type(made) is _Sample and made == a
    assert copy.deepcopy(a).items is not a.items
    assert dataclasses.asdict(a) == {"x": 1, "y": "z", "items": [2]}
    # Nothing of the twin is left among the objects the collector knows.
    twins = [o for o in gc.get_objects() if type(o).__qualname__.endswith("<building>")]
    assert twins == []


def test_maker_builds_what_the_class_builds() -> None:
    make = maker(_Sample)
    assert make(1) == _Sample(1) and type(make(1)) is _Sample
    assert make(2, items=[3]) == _Sample(2, "y", [3])
    assert make(1).items is not make(1).items
    assert inspect.signature(make) == inspect.signature(_Sample)
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        make()  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        make(1).x = 2  # type: ignore[misc]
    for not_a_record in (lexer.Statement, dict, len):
        with pytest.raises(TypeError, match="not a record made by fast_init"):
            maker(not_a_record)


def test_a_record_cannot_be_subclassed() -> None:
    """A subclass would inherit a constructor and a ``__reduce__`` that know only the
    record's own fields; it is refused when the class statement runs."""
    with pytest.raises(TypeError, match="_Sample is a final record"):
        @dataclasses.dataclass(frozen=True, slots=True)
        class Child(_Sample):
            extra: int = 0
    with pytest.raises(TypeError, match="Span is a final record"):
        class Plain(model.Span):
            pass


def test_refuses_what_it_cannot_keep_frozen() -> None:
    @dataclasses.dataclass
    class Mutable:
        x: int

    @dataclasses.dataclass(frozen=True)
    class WithDict:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Base:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived(Base):
        z: int = 0

    for cls in (Mutable, WithDict, Derived, int):
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
    """The generated constructor takes exactly the parameters and defaults the dataclass
    one would (compared against a plain frozen dataclass with the same fields)."""
    plain = dataclasses.make_dataclass(
        cls.__name__,
        [(f.name, f.type, f) for f in dataclasses.fields(cls)],
        frozen=True,
    )
    ours = inspect.signature(cls)
    theirs = inspect.signature(plain)
    assert inspect.signature(maker(cls)) == ours
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
    assert "__dict__" not in dir(cls) and cls.__slots__ == tuple(  # type: ignore[attr-defined]
        f.name for f in dataclasses.fields(cls))
