"""Mutation testing of the safety-critical modules: would a test fail if the code were wrong?

A small runner of our own rather than a general tool, because the mistakes that matter here live
where such tools do not look: module-level tables (the transition table, the file-type list),
keyword arguments (`needs_reason=True`), decorators and slices. For each module it makes one change
at a time to a copy of the repository, runs that module's tests, and counts the mutant killed when
any test fails (or hangs). Mutants judged equivalent (no behaviour can tell them apart) are listed
with a reason in scripts/mutation_equivalent.txt and left out of the score.

    python scripts/mutation.py                     # every module
    python scripts/mutation.py complaints/receipts.py --list   # the mutants, without running
"""

import argparse
import ast
import copy
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")
TEST_TIMEOUT_SECONDS = 300

# Each module with the tests that answer for it.
MODULES: dict[str, list[str]] = {
    "complaints/workflow.py": [
        "tests/complaints/test_workflow.py",
        "tests/complaints/test_deadlines.py",
        "tests/complaints/test_tracking.py",
        "tests/complaints/test_easy_filing.py",  # the urgent time limit on the tracking page
    ],
    "complaints/filing.py": [
        "tests/complaints/test_easy_filing.py",
        "tests/complaints/test_pages.py",
        "tests/complaints/test_language_choice.py",
        "tests/complaints/test_session_fixation.py",
    ],
    "complaints/deadlines.py": [
        "tests/complaints/test_deadlines.py",
        "tests/complaints/test_deadline_edges.py",
    ],
    "monitoring/cases/access.py": [
        "tests/monitoring/test_case_work.py",
        "tests/monitoring/test_reveal.py",
        "tests/monitoring/test_case_work_edges.py",
    ],
    "monitoring/cases/services.py": [
        "tests/monitoring/test_case_work.py",
        "tests/monitoring/test_decisions.py",
        "tests/monitoring/test_case_work_edges.py",
        "tests/monitoring/test_case_links.py",
    ],
    "monitoring/cases/checklist.py": ["tests/monitoring/test_decisions.py"],
    "monitoring/statistics.py": [
        "tests/monitoring/test_transparency.py",
        "tests/monitoring/test_statistics.py",
    ],
    "monitoring/exports.py": ["tests/monitoring/test_exports.py"],
    "monitoring/appeals/deliberation.py": [
        "tests/monitoring/test_deliberation.py",
        "tests/monitoring/test_appeal_body.py",
    ],
    "monitoring/appeals/deadlines.py": ["tests/monitoring/test_appeal_deadlines.py"],
    "complaints/evidence.py": [
        "tests/complaints/test_evidence_types.py",
        "tests/complaints/test_evidence.py",
    ],
    "complaints/throttle.py": [
        "tests/complaints/test_throttle.py",
        "tests/complaints/test_tracking.py",
        "tests/complaints/test_submission.py",
    ],
    "complaints/receipts.py": [
        "tests/complaints/test_receipts.py",
        "tests/complaints/test_submission.py",
        "tests/complaints/test_tracking.py",
    ],
    "complaints/fields.py": [
        "tests/complaints/test_fields.py",
        "tests/complaints/test_encryption.py",
    ],
    "complaints/crypto.py": [
        "tests/complaints/test_crypto.py",
        "tests/complaints/test_encryption.py",
    ],
    "monitoring/admin_site.py": [
        "tests/monitoring/test_admin_lookups.py",
        "tests/monitoring/test_case_work.py",
        "tests/monitoring/test_sign_in.py",
        "tests/monitoring/test_staff_changes.py",
        "tests/monitoring/test_intake.py",
    ],
    "monitoring/accounts.py": [
        "tests/monitoring/test_sign_in.py",
        "tests/monitoring/test_lockout.py",
    ],
}

SWAPS: dict[type, type] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
    ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.And: ast.Or, ast.Or: ast.And, ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div,
    ast.Div: ast.Mult, ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv, ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    module: str
    number: int
    line: int
    column: int
    description: str

    @property
    def key(self) -> str:
        return f"{self.module}:{self.line}:{self.column}: {self.description}"


def annotation_nodes(tree: ast.AST) -> set[int]:
    """Everything inside a type annotation: never evaluated for behaviour, so a change there
    is equivalent by construction (`dict[str, X]` -> `dict[X]`)."""
    roots = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            roots.append(node.returns)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            found.add(id(first.value))
    return found


Change = tuple[str, tuple[str, object]]  # (description, how to apply it to a copy)


def compare_changes(node: ast.Compare) -> Iterator[Change]:
    for i, op in enumerate(node.ops):
        if type(op) in SWAPS:
            yield f"{type(op).__name__} -> {SWAPS[type(op)].__name__}", ("compare", i)


def operator_changes(node: ast.BoolOp | ast.BinOp) -> Iterator[Change]:
    if type(node.op) in SWAPS:
        yield f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}", ("op", None)


def not_changes(node: ast.UnaryOp) -> Iterator[Change]:
    if isinstance(node.op, ast.Not):
        yield "drop `not`", ("unwrap", None)


def constant_changes(node: ast.Constant) -> Iterator[Change]:
    value = node.value
    if isinstance(value, bool):
        yield f"{value} -> {not value}", ("const", not value)
    elif isinstance(value, int):
        yield f"{value} -> {value + 1}", ("const", value + 1)
    elif isinstance(value, str) and value:
        yield f"{value[:20]!r} -> 'XX'+...", ("const", "XX" + value)
    elif isinstance(value, bytes) and value:
        yield f"{value[:12]!r} -> first byte changed", ("const", bytes([value[0] ^ 1]) + value[1:])


def dict_changes(node: ast.Dict) -> Iterator[Change]:
    for i, key in enumerate(node.keys):
        label = ast.unparse(key)[:30] if key is not None else "**"
        yield f"drop dict entry {label}", ("drop_dict", i)


def sequence_changes(node: ast.List | ast.Tuple | ast.Set) -> Iterator[Change]:
    if len(node.elts) > 1:
        for i, element in enumerate(node.elts):
            yield f"drop element {ast.unparse(element)[:30]}", ("drop_elt", i)


def call_changes(node: ast.Call) -> Iterator[Change]:
    for i, keyword in enumerate(node.keywords):
        yield f"drop keyword {keyword.arg}=", ("drop_kw", i)


def return_changes(node: ast.Return) -> Iterator[Change]:
    if node.value is not None and not (
        isinstance(node.value, ast.Constant) and node.value.value is None
    ):
        yield "return None", ("return_none", None)


def condition_changes(node: ast.If | ast.While | ast.IfExp) -> Iterator[Change]:
    yield "negate condition", ("negate", None)


def decorator_changes(node: ast.FunctionDef) -> Iterator[Change]:
    for i, decorator in enumerate(node.decorator_list):
        yield f"drop decorator @{ast.unparse(decorator)[:30]}", ("drop_decorator", i)


def statement_changes(node: ast.stmt) -> Iterator[Change]:
    yield "statement -> pass", ("pass", None)


CHANGES = {
    ast.Compare: compare_changes,
    ast.BoolOp: operator_changes,
    ast.BinOp: operator_changes,
    ast.UnaryOp: not_changes,
    ast.Constant: constant_changes,
    ast.Dict: dict_changes,
    ast.List: sequence_changes,
    ast.Tuple: sequence_changes,
    ast.Set: sequence_changes,
    ast.Call: call_changes,
    ast.Return: return_changes,
    ast.If: condition_changes,
    ast.While: condition_changes,
    ast.IfExp: condition_changes,
    ast.FunctionDef: decorator_changes,
    ast.Raise: statement_changes,
    ast.Expr: statement_changes,
    ast.Assign: statement_changes,
    ast.AugAssign: statement_changes,
}


def changes(node: ast.AST, skip: set[int]) -> Iterator[Change]:
    if id(node) in skip or id(getattr(node, "value", None)) in skip:
        return  # docstrings
    finder = CHANGES.get(type(node))
    if finder is not None:
        yield from finder(node)


def _set(node: ast.AST, field: str, value: object) -> ast.AST:
    setattr(node, field, value)
    return node


def _delete(node: ast.AST, index: int, *fields: str) -> ast.AST:
    for field in fields:
        del getattr(node, field)[index]
    return node


def _compare(node: ast.Compare, i: int) -> ast.AST:
    node.ops[i] = SWAPS[type(node.ops[i])]()
    return node


APPLY = {
    "compare": _compare,
    "op": lambda node, _: _set(node, "op", SWAPS[type(node.op)]()),
    "unwrap": lambda node, _: node.operand,
    "const": lambda node, value: _set(node, "value", value),
    "drop_dict": lambda node, i: _delete(node, i, "keys", "values"),
    "drop_elt": lambda node, i: _delete(node, i, "elts"),
    "drop_kw": lambda node, i: _delete(node, i, "keywords"),
    "return_none": lambda node, _: _set(node, "value", ast.Constant(None)),
    "negate": lambda node, _: _set(node, "test", ast.UnaryOp(ast.Not(), node.test)),
    "drop_decorator": lambda node, i: _delete(node, i, "decorator_list"),
    "pass": lambda node, _: ast.Pass(),
}


def apply(node: ast.AST, how: tuple[str, object]) -> ast.AST:
    kind, arg = how
    return APPLY[kind](node, arg)


def mutants(module: str) -> Iterator[tuple[Mutant, str]]:
    """Every mutant of a module, with its source."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    skip = docstring_nodes(tree) | annotation_nodes(tree)
    number = 0
    for index, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for description, how in changes(node, skip):
            number += 1
            mutated = copy.deepcopy(tree)
            target = list(ast.walk(mutated))[index]
            replace(mutated, target, apply(target, how))
            try:
                source = ast.unparse(ast.fix_missing_locations(mutated))
                compile(source, module, "exec")
            except (SyntaxError, ValueError):
                continue
            place = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
            yield Mutant(module, number, *place, description), source


def replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    if new is old:
        return
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list) and old in value:
                value[value.index(old)] = new


def tests_fail(workdir: Path, tests: list[str]) -> bool:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:warnings", *tests]
    # No bytecode cache: a mutant of the same size written within the same second as the
    # original would otherwise run the original's cached bytecode and "survive".
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        result = subprocess.run(
            command,
            cwd=workdir,
            env=env,
            capture_output=True,
            timeout=TEST_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return True  # a hang is noticed too
    return result.returncode != 0


def equivalent_keys() -> dict[str, str]:
    if not EQUIVALENT.exists():
        return {}
    entries = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, reason = line.partition(" | ")
            entries[key.strip()] = reason.strip()
    return entries


def line_set(spec: str) -> set[int]:
    lines: set[int] = set()
    for part in filter(None, spec.split(",")):
        first, _, last = part.partition("-")
        lines.update(range(int(first), int(last or first) + 1))
    return lines


def run_module(
    module: str, workdir: Path, equivalent: dict[str, str], lines: set[int]
) -> tuple[int, int, int]:
    original = (workdir / module).read_text(encoding="utf-8")
    killed = survived = judged = 0
    try:
        for mutant, source in mutants(module):
            if lines and mutant.line not in lines:
                continue
            if mutant.key in equivalent:
                judged += 1
                continue
            (workdir / module).write_text(source, encoding="utf-8")
            if tests_fail(workdir, MODULES[module]):
                killed += 1
            else:
                survived += 1
                print(f"  SURVIVED {mutant.key}", flush=True)
    finally:
        (workdir / module).write_text(original, encoding="utf-8")
    return killed, survived, judged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES))
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    parser.add_argument(
        "--lines",
        default="",
        help="only mutants on these lines, e.g. 10-40,52 (to recheck survivors; a partial score)",
    )
    args = parser.parse_args()
    lines = line_set(args.lines)
    if args.list:
        for module in args.modules:
            for mutant, _source in mutants(module):
                if not lines or mutant.line in lines:
                    print(mutant.key)
        return 0
    equivalent = equivalent_keys()
    results = {}
    with tempfile.TemporaryDirectory(prefix="afr-mutation-") as temp:
        workdir = Path(temp) / "repo"
        shutil.copytree(
            ROOT,
            workdir,
            ignore=shutil.ignore_patterns(".venv", ".git", "*.sqlite3", "__pycache__"),
        )
        for module in args.modules:
            if tests_fail(workdir, MODULES[module]):
                print(f"{module}: its tests fail without any mutation; fix them first")
                return 2
            print(f"{module}:", flush=True)
            results[module] = run_module(module, workdir, equivalent, lines)
    print(f"\n{'module':28} {'killed':>7} {'survived':>9} {'equivalent':>11} {'score':>7}")
    below = False
    for module, (killed, survived, judged) in results.items():
        score = killed / (killed + survived) if killed + survived else 1.0
        below |= score < 0.9
        print(f"{module:28} {killed:7} {survived:9} {judged:11} {score:7.0%}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
