"""YAML in and out, and atomic writes.

Loading: libyaml's safe loader when available, never object construction, no
aliases/anchors (so an alias bomb is refused at its first reuse, memory bounded),
no duplicate keys.  Dumping: Chinese as Chinese, keys in the order given, block
style, literal blocks for multi-line text.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Iterable

from ..i18n import _
from ..errors import BookError

MAX_FILE_BYTES = 2_000_000  # a case file is a few KB; refuse anything absurd before parsing
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
yaml: Any = None  # PyYAML, imported on first use (`_ready`): a read through the index parses no YAML


def _ready() -> None:
    """Import PyYAML and make the loader and dumper, once (~15 ms a read that needs none saves)."""
    global yaml, _BaseLoader, _BaseDumper, _Loader, _SAFE, _SCALARS, _Dumper
    if yaml is not None:
        return
    import yaml as pyyaml

    _BaseLoader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    _BaseDumper = getattr(pyyaml, "CSafeDumper", pyyaml.SafeDumper)

    class _Loader(_BaseLoader):  # type: ignore[misc,valid-type,no-redef]
        """libyaml's safe loader with a memo for tag resolution: keys and words repeat in every file."""

        _tags: dict = {}

        def resolve(self, kind, value, implicit):
            if kind is pyyaml.ScalarNode:
                key = (value, implicit)
                tag = self._tags.get(key)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(value) < 64 and len(self._tags) < 50_000:
                        self._tags[key] = tag
                return tag
            return super().resolve(kind, value, implicit)

    _SAFE = pyyaml.constructor.SafeConstructor()
    _SCALARS = {
        "tag:yaml.org,2002:null": lambda n: None,
        "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
        "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
        "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
        "tag:yaml.org,2002:timestamp": _SAFE.construct_yaml_timestamp,
    }

    class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type,no-redef]
        pass

    _Dumper.add_representer(str, _str_representer)
    yaml = pyyaml


def _construct(node, seen: set):
    """Plain data from a composed node graph, like PyYAML's SafeConstructor but several times faster.

    A node met twice is an alias (refused at once, so an alias bomb costs nothing); merge
    keys, duplicate keys and tags outside YAML's plain types are refused too.
    """
    if id(node) in seen:
        raise yaml.constructor.ConstructorError(
            None, None, "anchors and aliases (&, *) are not allowed in hotline files", node.start_mark)
    seen.add(id(node))
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _MAP:
        out = {}
        for k, v in node.value:
            if k.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed in hotline files", k.start_mark)
            key = _construct(k, seen)
            if not isinstance(key, (str, int, bool, type(None))):
                raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", k.start_mark)
            if key in out:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", k.start_mark)
            out[key] = _construct(v, seen)
        return out
    if tag == _SEQ:
        return [_construct(x, seen) for x in node.value]
    make = _SCALARS.get(tag)
    if make is None or not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(None, None, f"unsupported YAML tag {tag}", node.start_mark)
    return make(node)


def _str_representer(dumper, data: str):
    if "\n" in data:  # literal block; the emitter picks |- when there is no final newline
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


def load_text(text: str, path: Path | str = "<text>") -> Any:
    """Parse YAML text; any problem is a BookError with path:line.  Text in the shape hotline
    writes is read by `plainyaml` (what the parser would answer, several times faster); any
    other text, and every mistake, by the YAML parser."""
    from . import plainyaml

    data = plainyaml.load(text)
    if data is not None:
        return data
    if "\t" in text:
        # tabs are not YAML indentation; say where, rather than a parser riddle
        for n, line in enumerate(text.splitlines(), 1):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise BookError(_("tab used for indentation; use spaces"), path, n)
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line == "=======" or line.startswith("<<<<<<<"):
            if {"cases", "ledger", "leave", "calls"} & set(Path(path).parent.parts[-3:]):
                msg = _("git conflict marker: two offices changed this file and git could not merge it; run "
                        "`hotline resolve` (cases, points and leave keep both sides' entries); in roster.yaml, "
                        "rules.yaml or a template keep what both sides need and delete the marker lines")
            else:  # roster.yaml, rules.yaml: hotline cannot even start on them — only the person can settle
                msg = _("git conflict marker: two offices changed the same lines of this file; open it, keep what "
                        "both sides need between the <<<<<<< ======= >>>>>>> lines, delete those marker lines, "
                        "then run `hotline sync`")
            raise BookError(msg, path, n)
    _ready()
    try:
        node = yaml.compose(text, Loader=_Loader)  # libyaml builds the node graph (a safe loader)
        return None if node is None else _construct(node, set())
    except yaml.MarkedYAMLError as e:
        mark = e.context_mark or e.problem_mark  # where the broken construct began
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(x) for x in (e.context, e.problem) if x) or "not valid YAML"
        raise BookError(_("not valid YAML: {msg}").format(msg=msg), path, line) from None
    except yaml.YAMLError as e:
        raise BookError(_("not valid YAML: {why}").format(why=e), path) from None
    except RecursionError:
        raise BookError(_("not valid YAML: nested too deeply"), path) from None


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A book file's bytes: a regular file only (never a symbolic link, a device or a pipe — a
    link to /dev/zero must not eat the memory), at most `limit` bytes, with clear errors."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise BookError(_("file not found"), path) from None
    except PermissionError:
        raise BookError(_("permission denied"), path) from None
    if stat.S_ISLNK(st.st_mode):
        raise BookError(_("is a symbolic link; hotline reads only regular files (replace it by the file itself)"), path)
    if stat.S_ISDIR(st.st_mode):
        raise BookError(_("is a directory, expected a file"), path)
    if not stat.S_ISREG(st.st_mode):
        raise BookError(_("is not a regular file (a device, a pipe or a socket); hotline reads only regular files"), path)
    if st.st_size > limit:
        raise BookError(_("file is {st_size} bytes; hotline files are never larger than {limit}").format(st_size=st.st_size, limit=limit), path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except PermissionError:
        raise BookError(_("permission denied"), path) from None
    except OSError as e:  # replaced by a link meanwhile (ELOOP), or gone
        from ..errors import os_message

        raise BookError(_("cannot be read ({strerror})").format(strerror=os_message(e)), path) from None
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise BookError(_("file is larger than {limit} bytes; hotline files are never that large").format(limit=limit), path)
    return data


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """Read a book file as UTF-8 (see `read_bytes`), with clear errors for the usual accidents."""
    return decode(read_bytes(path, limit), path)


def decode(data: bytes, path: Path) -> str:
    """A book file's bytes as text (UTF-8, a byte-order mark dropped), or a `path:line` error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise BookError(_("not UTF-8 text (save the file as UTF-8)"), path, line) from None


def dump(data: Any) -> str:
    _ready()
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        indent=2,
    )


def line_of(text: str, keypath: Iterable[Any]) -> int | None:
    """The 1-based line of the node at keypath (mapping keys / sequence indexes) in text.

    Used only when reporting a problem, so the second parse costs nothing on the
    happy path.  Returns the deepest line found along the way.
    """
    _ready()
    try:
        node = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in keypath:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    line = k.start_mark.line + 1
                    node = v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def leftovers(directory: Path) -> list[Path]:
    """Temporary files an interrupted `atomic_write` left in `directory` (`.NAME.XXXX.tmp`)."""
    try:
        return sorted(p for p in directory.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))
    except (FileNotFoundError, NotADirectoryError):
        return []


def clear_leftovers(directory: Path) -> None:
    """Remove what interrupted writes left in `directory`.  Only under the book's write lock:
    then no other writer has a temporary file in flight."""
    for p in leftovers(directory):
        p.unlink(missing_ok=True)


class Staged:
    """A file written in two steps: `Staged(path)` makes a temporary file beside `path` at once
    (so a path that cannot be written fails before anything else is done), `write(text)` fills
    it durably, `commit()` moves it into place, `abort()` removes it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)

    def write(self, text: str) -> None:
        with open(self.tmp, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


def real_folder(root: Path, directory: Path) -> None:
    """Make `directory` exist as real folders below `root`: every step from the book's root down
    must be a folder itself, never a symbolic link or a file — a link that arrived by a merge
    (cases/2027 → elsewhere) would send the book's files outside it.  BookError naming the step."""
    root, directory = Path(root), Path(directory)
    try:
        rel = directory.relative_to(root)
    except ValueError:
        try:
            rel = directory.resolve().relative_to(root.resolve())
            root = root.resolve()
        except ValueError:
            raise BookError(_("is outside the book; hotline writes the book's files only inside it"), directory) from None
    here = root
    for part in rel.parts:
        if part in ("", ".", ".."):
            raise BookError(_("is outside the book; hotline writes the book's files only inside it"), directory)
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            try:
                os.mkdir(here)
            except FileExistsError:
                pass
            st = os.lstat(here)
        if stat.S_ISLNK(st.st_mode):
            raise BookError(_("is a symbolic link; hotline writes the book's files only into real folders inside "
                              "the book (it came from another office or a hand edit: replace it by a folder, "
                              "`hotline check` names every link)"), here)
        if not stat.S_ISDIR(st.st_mode):
            raise BookError(_("is not a folder; hotline needs a folder here"), here)


def atomic_write(path: Path, text: str | bytes, root: Path | None = None) -> None:
    """Write text (or bytes: a workbook) to path so a crash leaves the old file or the new one, never a part.
    With `root` (a book file), every folder from `root` down is checked to be a real folder
    inside the book (`real_folder`) before anything is written.  Under the write lock, what the
    file held is journaled first (`journal.note`)."""
    from . import journal

    if root is not None:
        real_folder(root, path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    journal.note(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable where the OS allows
        try:
            dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass
