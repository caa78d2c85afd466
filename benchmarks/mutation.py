"""Mutation testing of the core: how many planted one-line bugs the fast unit tests catch, module by module.

Run: pip install -e '.[mutation]' && python benchmarks/mutation.py [TARGET ...] [--sample N] [--jobs N] [--workdir DIR]
     TARGET: store, session, formats, agreement, evaluate, or one module (store/merge) (default: store session); --sample N tests N mutants drawn
     at random (seeded) from each module instead of all (--sample-for session=150: another number for one target);
     --retest (with --sample) tests again only the drawn mutants the last run did not kill, after new tests;
     --report prints the last results without running; --survivors lists the surviving mutants (`mutmut show NAME` in the clone shows one).

mutmut 3 rewrites every function of the code it mutates, so it never runs in this working tree: it runs in a clone
of this repository's committed HEAD (uncommitted edits are not measured) under --workdir, pulled again on each
run, with a [tool.mutmut] section for the chosen targets written into the clone's pyproject.toml. mutmut keeps
its results there, so a full run that is stopped goes on where it left off. Each mutant runs only the fast tests
listed for its target, and of those only the tests that call the mutated function.

Kill rate = (killed + timed out) / mutants tested; a mutant no selected test reaches counts as surviving. The
second rate leaves out the mutants listed in benchmarks/mutation_equivalent.txt (equivalent: no test can tell
them from the original; each line says why). Not part of CI: all of the store's ~5,300 mutants take about
1.5 hours on 2 shared cores, hence --sample.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
MIGRATIONS = "annotator/store/migrations.py"
EQUIVALENT_LIST = Path(__file__).resolve().parent / "mutation_equivalent.txt"

STORE_TESTS = [
    "tests/unit/test_store.py", "tests/unit/test_session.py", "tests/unit/test_undo.py", "tests/unit/test_undo_sessions.py",
    "tests/unit/test_merge.py", "tests/unit/test_store_mixins.py", "tests/safety/test_labels_safety.py",
    "tests/safety/test_resuggest_safety.py",
    "tests/unit/test_flow_session.py",
    "tests/unit/test_notes_store.py",
    "tests/unit/test_mutation_*.py",  # every file of tests written to kill mutants, expanded in the clone
]
TARGETS: dict[str, dict[str, list[str]]] = {
    "store": {"only_mutate": ["annotator/store/*"], "tests": STORE_TESTS},
    "session": {"only_mutate": ["annotator/session.py"], "tests": STORE_TESTS},
    "formats": {
        "only_mutate": ["annotator/formats/*"],
        "tests": [
            "tests/unit/test_formats_brat.py", "tests/unit/test_formats_common.py", "tests/unit/test_formats_conll.py",
            "tests/unit/test_formats_csv.py", "tests/unit/test_formats_prodigy.py", "tests/unit/test_formats_registry.py",
            "tests/unit/test_formats_roundtrip.py",
        ],
    },
    "agreement": {
        "only_mutate": ["annotator/agreement/*"],
        "tests": [
            "tests/unit/test_agreement_bootstrap.py", "tests/unit/test_agreement_claims.py", "tests/unit/test_agreement_degenerate.py",
            "tests/unit/test_agreement_matching.py", "tests/unit/test_agreement_ranking.py", "tests/unit/test_agreement_reference.py",
            "tests/unit/test_agreement_spans.py",
        ],
    },
    "evaluate": {"only_mutate": ["annotator/evaluate.py"], "tests": ["tests/unit/test_evaluate.py"]},
}
KILLED = {"killed", "timeout"}


def target_spec(target: str) -> dict[str, list[str]]:
    """A named target, or one module of a target given by its path (annotator/store/merge.py, or store/merge for
    short): that module alone, with its target's tests."""
    if target in TARGETS:
        return TARGETS[target]
    path = target if target.endswith(".py") else f"annotator/{target}.py"
    for spec in TARGETS.values():
        if any(fnmatch.fnmatch(path, pattern) for pattern in spec["only_mutate"]) and (REPOSITORY / path).exists():
            return {"only_mutate": [path], "tests": spec["tests"]}
    raise KeyError(target)


def mutmut_section(targets: list[str], clone: Path) -> str:
    """The [tool.mutmut] section for these targets: what to mutate and which fast tests may kill it (test paths
    with a * expanded in the clone)."""
    paths = dict.fromkeys(path for target in targets for path in target_spec(target)["tests"])
    tests = [str(found.relative_to(clone)) for path in paths for found in sorted(clone.glob(path))]
    only = [path for target in targets for path in target_spec(target)["only_mutate"]]
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["annotator/"]\n'
        'also_copy = ["schemas/", "examples/"]\n'
        f"only_mutate = {json.dumps(only)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-m", "not slow"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
    )


def prepare(targets: list[str], workdir: Path) -> Path:
    """A clone of this repository's HEAD, up to date, with the targets' mutmut settings."""
    clone = workdir / "clone"
    if not (clone / ".git").exists():
        workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", str(REPOSITORY), str(clone)], check=True)
    else:
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", "--", "pyproject.toml", MIGRATIONS], check=True)
        subprocess.run(["git", "-C", str(clone), "pull", "--quiet", "--ff-only"], check=True)
    with (clone / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(mutmut_section(targets, clone))
    undecorate_migrations(clone / MIGRATIONS)
    return clone


def undecorate_migrations(path: Path) -> None:
    """mutmut 3 mutates no decorated function but static and class methods, so every @migrations() function went
    unmeasured: in the clone, the same functions are registered after their definitions, in the same order."""
    source = path.read_text(encoding="utf-8")
    names = re.findall(r"^@migrations\(\)\ndef (\w+)\(", source, flags=re.MULTILINE)
    if names:
        source = re.sub(r"^@migrations\(\)\n(?=def )", "", source, flags=re.MULTILINE)
        source += "\n\n# Registered here, not by decorator, so mutmut mutates them (benchmarks/mutation.py).\n"
        source += "".join(f"migrations()({name})\n" for name in names)
        path.write_text(source, encoding="utf-8")


def mutmut(clone: Path, jobs: int, names: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *names], cwd=clone, check=False)


def sample(clone: Path, targets: list[str], per_module: int, per_target: dict[str, int]) -> list[str]:
    """Up to per_module mutant names from each module of the targets (per_target's number for its modules), drawn
    with a fixed seed: the same draw each run while the code is the same."""
    drawn: list[str] = []
    for module, statuses in sorted(results(clone, targets).items()):
        names = sorted(statuses)
        size = next((size for target, size in per_target.items() if any(fnmatch.fnmatch(module, p) for p in target_spec(target)["only_mutate"])), per_module)
        drawn += random.Random(f"13:{module}").sample(names, min(size, len(names)))
    return drawn


def results(clone: Path, targets: list[str] | None = None, only: set[str] | None = None) -> dict[str, dict[str, str]]:
    """Each mutated module's mutants and their status (of the targets' modules; of the mutants named in only), read
    from the .meta files mutmut leaves beside the mutants."""
    from mutmut.stats import status_by_exit_code

    patterns = [pattern for target in targets or TARGETS for pattern in target_spec(target)["only_mutate"]]
    by_module: dict[str, dict[str, str]] = defaultdict(dict)
    for meta in sorted((clone / "mutants").rglob("*.py.meta")):
        exit_codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        module = meta.relative_to(clone / "mutants").as_posix().removesuffix(".meta")
        if not any(fnmatch.fnmatch(module, pattern) for pattern in patterns):
            continue
        for name, exit_code in exit_codes.items():
            if only is None or name in only:
                by_module[module][name] = status_by_exit_code[exit_code]
    return by_module


def equivalent_mutants() -> set[str]:
    """The mutant names judged equivalent, one a line, each followed by why after a #."""
    if not EQUIVALENT_LIST.exists():
        return set()
    return {line.split("#")[0].strip() for line in EQUIVALENT_LIST.read_text(encoding="utf-8").splitlines() if line.split("#")[0].strip()}


# Upper-case SQL words, matched with their case: the code writes SQL keywords in capitals, and messages to people don't.
SQL_WORDS = (
    "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "FROM ", "WHERE ", "VALUES ", "CREATE ", " SET ", "GROUP BY", "ORDER BY", "AND ", "EXISTS",
    "JOIN ", "PRAGMA ", "ALTER ",
)
QUOTED = re.compile(r"'[^']*'")


def sql_case_mutants(clone: Path, module: str) -> set[str]:
    """Mutants that only change the case of SQL outside its quoted literals: SQLite reads keywords and names in any case.

    Found by comparing each mutant function with the original in the file mutmut wrote: the only difference must be
    string constants equal but for case, each reading as SQL, with its quoted literals unchanged ('done' != 'DONE').
    """
    tree = ast.parse((clone / "mutants" / module).read_text(encoding="utf-8"))
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    prefix = module.removesuffix(".py").replace("/", ".") + "."

    def strings(node: ast.AST) -> list[str]:
        return [child.value for child in ast.walk(node) if isinstance(child, ast.Constant) and isinstance(child.value, str)]

    def shape(node: ast.AST) -> str:
        return ast.dump(node, include_attributes=False).lower()

    found = set()
    for name, function in functions.items():
        if "__mutmut_" not in name or name.endswith("__mutmut_orig"):
            continue
        original = functions.get(name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")
        if original is None:
            continue
        old, new = strings(original), strings(function)
        changed = [(before, after) for before, after in zip(old, new) if before != after]
        if (
            changed and len(old) == len(new) and shape(original).replace(original.name.lower(), "") == shape(function).replace(name.lower(), "")
            and all(
                before.lower() == after.lower() and QUOTED.findall(before) == QUOTED.findall(after) and any(word in before for word in SQL_WORDS)
                for before, after in changed
            )
        ):
            found.add(prefix + name)
    return found


def rate(killed: int, total: int) -> str:
    return f"{100 * killed / total:.1f}%" if total else "-"


def report(target: str, clone: Path, by_module: dict[str, dict[str, str]], show_survivors: bool) -> None:
    """One markdown table row per module: mutants, killed, survived, not checked, and the two kill rates."""
    listed = equivalent_mutants()
    print(f"\n{target}")
    print("| module | mutants | killed | survived | no tests | not checked | equivalent | kill rate | without equivalent |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals: Counter[str] = Counter()
    for module, statuses in sorted(by_module.items()):
        if not statuses:
            continue
        counts = Counter(statuses.values())
        equivalent = listed | sql_case_mutants(clone, module)
        checked = {name: status for name, status in statuses.items() if status != "not checked"}
        killed = sum(1 for status in checked.values() if status in KILLED)
        kept_out = sum(1 for name, status in checked.items() if name in equivalent and status not in KILLED)
        row = {
            "mutants": len(checked), "killed": killed, "survived": counts["survived"], "no tests": counts["no tests"],
            "not checked": counts["not checked"], "equivalent": kept_out,
        }
        totals.update(row)
        print(
            f"| {module} | {row['mutants']} | {killed} | {row['survived']} | {row['no tests']} | {row['not checked']} | {kept_out} | "
            f"{rate(killed, len(checked))} | {rate(killed, len(checked) - kept_out)} |"
        )
        if show_survivors:
            for name, status in sorted(checked.items()):
                if status not in KILLED and name not in equivalent:
                    print(f"    {status}: {name}")
    print(
        f"| all | {totals['mutants']} | {totals['killed']} | {totals['survived']} | {totals['no tests']} | {totals['not checked']} | {totals['equivalent']} | "
        f"{rate(totals['killed'], totals['mutants'])} | {rate(totals['killed'], totals['mutants'] - totals['equivalent'])} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=f"one of {', '.join(TARGETS)}, or one module such as store/merge (default: store session)")
    parser.add_argument("--sample", type=int, default=0, help="test N mutants drawn at random from each module")
    parser.add_argument("--sample-for", action="append", default=[], metavar="TARGET=N", help="another sample size for one target's modules")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "annotator-mutation")
    parser.add_argument("--retest", action="store_true", help="with --sample: test again only the drawn mutants not killed last time")
    parser.add_argument("--report", action="store_true", help="print the last results without running")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants under each module")
    arguments = parser.parse_args()
    unknown = []
    for target in arguments.targets:
        try:
            target_spec(target)
        except KeyError:
            unknown.append(target)
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}: choose among {', '.join(TARGETS)}, or one module such as store/merge")
    targets = arguments.targets or ["store", "session"]
    per_target = {target: int(size) for target, _, size in (item.partition("=") for item in arguments.sample_for)}
    clone = arguments.workdir / "clone"
    if not arguments.report:
        clone = prepare(targets, arguments.workdir)
        if arguments.sample:
            mutmut(clone, arguments.jobs, ["no-such-mutant"])  # generates the mutants (and stops: nothing matches)
            drawn = sample(clone, targets, arguments.sample, per_target)
            if arguments.retest:
                statuses = {name: status for module in results(clone, targets).values() for name, status in module.items()}
                drawn = [name for name in drawn if statuses.get(name) not in KILLED]
            mutmut(clone, arguments.jobs, drawn)
        else:
            mutmut(clone, arguments.jobs, [])
    if not (clone / "mutants").exists():
        print(f"no results in {clone}: run without --report first", file=sys.stderr)
        return 1
    drawn = set(sample(clone, targets, arguments.sample, per_target)) if arguments.sample else None
    sizes = "".join(f", {size} from {target}" for target, size in per_target.items())
    title = ", ".join(targets) + (f": {arguments.sample} mutants drawn from each module{sizes}" if arguments.sample else "")
    report(title, clone, results(clone, targets, drawn), arguments.survivors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
