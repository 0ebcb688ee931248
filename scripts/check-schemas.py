#!/usr/bin/env python3
"""Checks contact-sync's JSON Schemas (schemas/*.schema.json, draft 2020-12).

  check-schemas.py examples
      Every schemas/examples/valid/<schema>/*.json must pass schemas/<schema>.schema.json
      and every schemas/examples/invalid/<schema>/*.json must fail it. One line per file,
      then "N passed, N failed". Exit status 1 when any file did not behave.

  check-schemas.py records SCHEMA FILE
      Validates each non-empty line of FILE (JSON lines, e.g. a dump of the result
      topic) against schemas/SCHEMA.schema.json. Lists every failing line and exits 1
      when there is one.

A schema may $ref another by its file name (intake-batch's events refer to the event
schemas): refs resolve against a registry of the schemas here, by $id, never the network.

Formats (date-time) are asserted, not just annotated. That needs rfc3339-validator
next to jsonschema; without it jsonschema silently accepts any date-time, so this
script refuses to run rather than pass bad records.
"""

import json
import sys
from pathlib import Path

try:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
except ImportError:
    sys.exit("check-schemas: python jsonschema is missing (scripts/setup.sh installs it)")

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
EXAMPLES = SCHEMAS / "examples"
FORMAT_CHECKER = FormatChecker()


def require_date_time_checking():
    """jsonschema skips date-time checks without rfc3339-validator; make that loud."""
    probe = Draft202012Validator({"type": "string", "format": "date-time"},
                                 format_checker=FORMAT_CHECKER)
    if probe.is_valid("2026-02-30T25:61:00Z") or not probe.is_valid("2026-11-24T10:15:00.123Z"):
        sys.exit("check-schemas: date-time format checking does not work; "
                 "install rfc3339-validator (python3 -m pip install rfc3339-validator)")


def local_registry():
    """Every schema in schemas/ by its $id, so that one can $ref another."""
    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def load_validator(name):
    path = SCHEMAS / f"{name}.schema.json"
    if not path.is_file():
        sys.exit(f"check-schemas: no schema {path.relative_to(ROOT)}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER, registry=local_registry())


def first_error(validator, instance):
    """The most relevant error, as 'path: message', or None when the instance is valid."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{where}: {message}"


def check_shared_definitions(names):
    """A $defs entry with the same name in two schemas must be identical (one fact, one shape)."""
    seen = {}
    problems = []
    for name in names:
        schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
        for def_name, definition in schema.get("$defs", {}).items():
            if def_name in seen and seen[def_name][1] != definition:
                problems.append(f"$defs/{def_name} differs between {seen[def_name][0]} and {name}")
            seen.setdefault(def_name, (name, definition))
    return problems


def check_examples():
    require_date_time_checking()
    names = sorted(p.name[: -len(".schema.json")] for p in SCHEMAS.glob("*.schema.json"))
    passed = failed = 0
    for problem in check_shared_definitions(names):
        print(f"FAIL {problem}")
        failed += 1
    for name in names:
        validator = load_validator(name)
        for expectation in ("valid", "invalid"):
            files = sorted((EXAMPLES / expectation / name).glob("*.json"))
            if not files:
                print(f"FAIL {expectation}/{name}/: no examples")
                failed += 1
            for path in files:
                label = path.relative_to(EXAMPLES)
                try:
                    instance = json.loads(path.read_text(encoding="utf-8"))
                except ValueError as e:
                    print(f"FAIL {label}: not JSON ({e})")
                    failed += 1
                    continue
                error = first_error(validator, instance)
                if expectation == "valid" and error is None:
                    print(f"ok   {label}")
                    passed += 1
                elif expectation == "valid":
                    print(f"FAIL {label}: should pass but {error}")
                    failed += 1
                elif error is not None:
                    print(f"ok   {label}: rejected ({error})")
                    passed += 1
                else:
                    print(f"FAIL {label}: should fail but passed")
                    failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def check_records(name, file):
    require_date_time_checking()
    validator = load_validator(name)
    passed = failed = 0
    with open(file, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                instance = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                print(f"FAIL line {number}: not UTF-8 ({e})")
                failed += 1
                continue
            except ValueError as e:
                print(f"FAIL line {number}: not JSON ({e})")
                failed += 1
                continue
            error = first_error(validator, instance)
            if error is None:
                passed += 1
            else:
                print(f"FAIL line {number}: {error}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "examples":
        return check_examples()
    if len(argv) == 4 and argv[1] == "records":
        return check_records(argv[2], argv[3])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
