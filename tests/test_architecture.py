"""The house keeps its shape: layers, no import cycles, no private names across modules, short
functions, and docs/architecture.md names only functions that exist."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "hotline"

# who may import whom: a layer may use itself and the layers listed
SERVICES = {"base", "reads", "trust", "storage", "domain", "render"}
LAYERS = {
    "domain": {"domain"},
    "storage": {"storage", "domain"},
    "render": {"render", "domain"},
    "base": {"base", "storage", "domain"},            # book.py, times.py: a book and the clock
    "reads": SERVICES,                                # a read never reaches a write
    "trust": SERVICES,
    "writes": SERVICES | {"writes"},
    "cli": SERVICES | {"writes", "cli"},
}
SHARED = {"hotline", "hotline.errors", "hotline.i18n"}  # usable from every layer
PACKAGES = ("domain", "storage", "render", "cli", "reads", "writes", "trust")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(mod: str) -> str | None:
    if mod in SHARED:
        return None
    if mod == "hotline.__main__":
        return "cli"
    parts = mod.split(".")
    if len(parts) > 1 and parts[1] in PACKAGES:
        return parts[1]
    return "base"


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


def imports_of(mod: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import in the module, nested ones too."""
    path = MODULES[mod]
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names if a.name.startswith("hotline")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("hotline"):
                continue
            names = [a.name for a in node.names]
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            if subs:  # `from . import x` imports the module x
                out += [(s, [], node.lineno) for s in subs]
                names = [n for n in names if f"{target}.{n}" not in MODULES]
                if not names:
                    continue
            out.append((target, names, node.lineno))
    return out


GRAPH = {m: sorted({t for t, _, _ in imports_of(m) if t in MODULES and t != m}) for m in MODULES}


def test_every_layer_imports_only_what_it_may():
    bad = []
    for mod in MODULES:
        mine = layer(mod)
        if mine is None:
            continue
        for target, _, line in imports_of(mod):
            theirs = layer(target)
            if theirs is not None and theirs not in LAYERS[mine]:
                bad.append(f"{MODULES[mod].relative_to(ROOT)}:{line}: {mine} imports {target} ({theirs})")
    assert bad == []


def test_no_import_cycles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for m in sorted(GRAPH):
        if m not in index:
            visit(m)
    assert cycles == []


def module_aliases(mod: str) -> dict[str, str]:
    """Local names bound to hotline modules: `from . import x`, `import hotline.x as y`."""
    path = MODULES[mod]
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update({a.asname: a.name for a in node.names if a.asname and a.name in MODULES})
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            out.update({a.asname or a.name: f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES})
    return out


GETTEXT = {("hotline.i18n", "_"), ("hotline.i18n", "N_")}  # gettext's conventional names, not private ones


def test_no_private_name_is_used_outside_its_module():
    bad = []
    for mod, path in MODULES.items():
        for target, names, line in imports_of(mod):
            bad += [f"{path.relative_to(ROOT)}:{line}: imports {target}.{n}" for n in names
                    if n.startswith("_") and not n.startswith("__") and (target, n) not in GETTEXT]
        aliases = module_aliases(mod)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Name) and node.value.id in aliases):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: uses {aliases[node.value.id]}.{node.attr}")
    assert bad == []


def test_no_function_is_longer_than_80_lines():
    long = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > 80:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} has {n} lines")
    assert long == []


def test_the_domain_never_reads_the_clock_prints_or_runs_git():
    bad = []
    for mod, path in MODULES.items():
        if layer(mod) != "domain":
            continue
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            if re.search(r"datetime\.now\(|date\.today\(|time\.time\(|\bprint\(|subprocess|open\(", line):
                bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert bad == []


RULE_ROW = re.compile(r"^\|[^|]+\|\s*`(hotline(?:\.\w+)+):(\w+(?:\.\w+)*)`\s*\|", re.M)


def resolve(mod: str, attr: str):
    obj = importlib.import_module(mod)
    for part in attr.split("."):
        obj = getattr(obj, part, None)
    return obj


def test_the_rule_table_names_functions_that_exist():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = RULE_ROW.findall(text)
    assert len(rows) >= 20, "docs/architecture.md: the table 'rule of the spec → module:function' is missing"
    missing = [f"{m}:{f}" for m, f in rows if resolve(m, f) is None]
    assert missing == []


def test_no_private_module_of_a_framework_is_imported():
    # typer vendors click as typer._click: reaching in there pins the project to one typer release
    bad = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [f"{node.module}.{a.name}" for a in node.names]
            bad += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names
                    if not n.startswith("hotline") and any(p.startswith("_") and not p.startswith("__")
                                                           for p in n.split("."))]
    assert bad == []


def test_the_cli_keeps_no_state_in_its_modules():
    # what one command line chose (--book, --as, the book opened ahead) lives in its context
    # (ctx.obj), never in a module-level dict, list or set that the next invocation would find
    bad = []
    for mod, path in MODULES.items():
        if layer(mod) != "cli":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = node.target if isinstance(node, ast.AnnAssign) else (
                node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
            value = getattr(node, "value", None)
            if (isinstance(target, ast.Name) and not target.id.isupper() and target.id != "__all__"
                    and isinstance(value, (ast.Dict, ast.List, ast.Set))):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {target.id}")
    assert bad == []


def test_the_bulletin_s_sections_return_data_not_words():
    # words are chosen in render/words.py through the catalog; the domain's sections give ids
    bad = []
    for name in ("sections.py", "safety.py", "context.py", "__init__.py"):
        path = PKG / "domain" / "bulletin" / name
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"_label\"|\"label\"|i18n import|\b_\(|ngettext\(|\.label\(", line):
                bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert bad == []


def test_a_new_module_has_a_package_that_says_what_it_does():
    # "where does a new write / read go?" is answered by the tree: writes/, reads/, trust/ (and the
    # layers domain/, storage/, render/, cli/); only a book, the clock, errors and words sit beside them
    loose = sorted(p.name for p in PKG.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "book.py", "errors.py", "i18n.py", "times.py"]
    for pkg in ("reads", "writes", "trust"):
        doc = ast.get_docstring(ast.parse((PKG / pkg / "__init__.py").read_text(encoding="utf-8"))) or ""
        listed = set(re.findall(r"^\s+(\w+)\.py\s", doc, re.M))
        assert listed == {p.stem for p in (PKG / pkg).glob("*.py") if p.stem != "__init__"}, pkg
