"""``fast_init``: a cheaper constructor for a frozen, slotted dataclass.

The model's and the geometry's records are frozen dataclasses with slots: immutable,
compared and hashed by value, readable in a repr, walked with :func:`dataclasses.fields`
and :func:`dataclasses.replace`, and small (a slot is a pointer; a ``__dict__`` is a
hash table). A frozen dataclass's generated ``__init__`` sets each field through
``object.__setattr__``, because its own ``__setattr__`` refuses, and that made building
them the largest single cost of a render: a 30-message diagram makes some 300 of them.

``fast_init``, put above ``@dataclass(frozen=True, slots=True)``, keeps everything the
dataclass is and only swaps how an instance is built. Its ``__new__`` fills the slots of
a *building twin*, a plain class with the same slots, whose attribute stores CPython
turns into direct slot writes; then it makes the finished instance what it is by
assigning ``__class__`` (allowed between classes with the same slots). Same parameters,
same defaults; a twelve-field record costs two thirds of the instructions it did with a
``__dict__`` (4,800 against 7,500, freeing it included), and half through :func:`maker`.
Assigning to a field afterwards raises :class:`dataclasses.FrozenInstanceError`, as
before. A record cannot be subclassed: a subclass's instances would not fit the twin.

Calling the class still costs ``type.__call__``'s own work; :func:`maker` gives the same
constructor as a plain function, for the places that build a record per message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


def fast_init(cls: type[T]) -> type[T]:
    """Give the frozen, slotted dataclass ``cls`` a fast constructor (returns ``cls``)."""
    params_ = getattr(cls, "__dataclass_params__", None)
    if (not is_dataclass(cls) or params_ is None or not params_.frozen
            or "__slots__" not in vars(cls) or cls.__bases__ != (object,)):
        raise TypeError(f"{cls.__name__} must be a frozen dataclass with slots, "
                        "derived from object only")
    twin = type(cls.__name__, (), {"__slots__": vars(cls)["__slots__"],
                                   "__module__": cls.__module__,
                                   "__qualname__": f"{cls.__qualname__}.<building>"})
    params: list[str] = []
    resolve: list[str] = []
    names: list[str] = []
    env: dict[str, Any] = {"_MISSING": MISSING, "_new": object.__new__, "_twin": twin,
                           "_cls": cls}
    for f in fields(cls):
        if not f.init:  # pragma: no cover - not used by mlseq's records
            raise TypeError(f"{cls.__name__}.{f.name}: init=False is not supported")
        names.append(f.name)
        if f.default is not MISSING:
            env[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        elif f.default_factory is not MISSING:
            env[f"_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            resolve.append(f"    if {f.name} is _MISSING:\n        {f.name} = _f_{f.name}()\n")
        else:
            params.append(f.name)
    signature = ", ".join(params)
    body = ("".join(resolve) + "    self = _new(_twin)\n"
            + "".join(f"    self.{name} = {name}\n" for name in names)
            + "    self.__class__ = _cls\n    return self\n")
    fields_read = ", ".join(f"self.{name}" for name in names)
    source = (f"def __new__(cls, {signature}):\n{body}"
              f"def _make({signature}):\n{body}"
              # Pickle and copy rebuild through the constructor, positionally.
              f"def __reduce__(self):\n    return (_cls, ({fields_read},))\n")
    exec(source, env)
    for name in ("__new__", "__reduce__", "_make"):
        function = env[name]
        function.__qualname__ = f"{cls.__qualname__}.{name}"
        function.__module__ = cls.__module__
    # The class's own attributes, untyped: mypy knows only the dataclass's.
    attributes: Any = cls
    attributes.__new__ = staticmethod(env["__new__"])
    attributes.__reduce__ = env["__reduce__"]
    # object.__init__ then runs, and accepts the arguments because __new__ is overridden.
    del attributes.__init__
    attributes.__init_subclass__ = classmethod(_final)
    attributes._make = staticmethod(env["_make"])
    return cls


def maker(cls: Callable[P, T]) -> Callable[P, T]:
    """The record ``cls`` as a plain function: same parameters, same result.

    Calling a class goes through ``type.__call__``, which looks up ``__new__``, copies
    the arguments into a new tuple and then checks them against ``object.__init__``:
    some 1,400 instructions a record on CPython 3.11. A plain function is called
    directly. The stages use this where they build a record per statement or message.
    """
    made = vars(cls).get("_make") if isinstance(cls, type) else None
    if made is None:
        raise TypeError(f"{cls!r} is not a record made by fast_init")
    return made.__func__  # type: ignore[no-any-return]


def _final(cls: type, /, **kwargs: Any) -> None:
    """A subclass could add fields or slots the twin does not have, and would inherit a
    constructor and a ``__reduce__`` that know only the record's fields: refused."""
    base = cls.__mro__[1].__name__
    raise TypeError(f"{base} is a final record and cannot be subclassed "
                    "(make a new dataclass that holds one instead)")
