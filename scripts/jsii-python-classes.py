"""Lists the top-level classes of the Python package jsii-pacmak generated (npm run jsii:pacmak).

Usage: python3 scripts/jsii-python-classes.py <pacmak python dir>
Parses every module of src/ with the interpreter's own parser (a syntax error fails) and prints JSON:
{ "<module>": { "<class>": ["<base>", ...] } }. The generated package cannot be imported here: its runtime
dependencies (jsii, constructs, cdk8s, cdk8s-plus-27 from PyPI) are not installed and cannot be.
"""
import ast
import json
import pathlib
import sys

src = pathlib.Path(sys.argv[1]) / "src"
modules = {}
for path in sorted(src.rglob("*.py")):
    rel = path.relative_to(src).with_suffix("")
    parts = list(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules[".".join(parts)] = {
        node.name: [ast.unparse(base) for base in node.bases]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }
json.dump(modules, sys.stdout, indent=1, sort_keys=True)
