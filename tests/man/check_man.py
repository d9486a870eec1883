#!/usr/bin/env python3
"""The man pages say what --help says, no more and no less.

Usage: check_man.py NATDOCTOR MANDIR

For natdoctor itself and for every command `natdoctor --help` lists:
  - MANDIR/natdoctor.1 and MANDIR/natdoctor-COMMAND.1 exist;
  - `mandoc -T lint` reports nothing at warning level or above;
  - every flag the command's --help lists (outside its Examples) is in the
    page's OPTIONS section, and every flag in OPTIONS is in --help.
natdoctor.1 names every command, and names no command --help does not list.
Nothing here knows the flags: a flag added to --help fails this test until
the man page documents it (docs/man/README.md says how).
"""
import os
import re
import subprocess
import sys

LONG = re.compile(r"(?<![\w-])--([a-z0-9][a-z0-9-]*)")
# A letter option where options are listed: "-p," "-4 " at the start of a
# list line, or after a comma ("-v, --verbose").
SHORT = re.compile(r"(?:^|[\s,\[])-([A-Za-z0-9])(?=[,\s\]]|$)")


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def help_flags(text):
    """Flags in a --help text, leaving out its examples (they may quote other
    programs' options, e.g. `docker logs -f --tail 20`)."""
    kept, skip = [], False
    for line in text.splitlines():
        if line and not line[0].isspace():
            skip = line.lower().startswith("example")
        if not skip and not line.startswith("Usage:"):
            kept.append(line)
    return flags_in(kept)


def render(page):
    rc, out, err = run(["mandoc", "-T", "ascii", "-O", "width=400", page])
    if rc != 0:
        raise SystemExit(f"{page}: mandoc failed: {err.strip()}")
    return re.sub(r".\x08", "", out)


def section(text, name):
    """The lines of one section (SH) of a rendered page, subsections included."""
    out, inside = [], False
    for line in text.splitlines():
        if line and not line[0].isspace():
            inside = line.strip() == name
            continue
        if inside:
            out.append(line)
    return out


def flags_in(lines):
    """--long anywhere, -x where a line lists options."""
    flags = set()
    for line in lines:
        flags |= {"--" + f for f in LONG.findall(line)}
        if line.lstrip().startswith("-"):
            flags |= {"-" + f for f in SHORT.findall(line)}
    return flags


def lint(page):
    rc, out, err = run(["mandoc", "-T", "lint", "-W", "warning", page])
    msgs = (out + err).strip()
    return [msgs] if msgs else []


def commands(top_help):
    cmds, inside = [], False
    for line in top_help.splitlines():
        if line and not line[0].isspace():
            inside = line.startswith("Commands:")
            continue
        m = re.match(r"^\s{2}([a-z][a-z0-9-]*)\s", line)
        if inside and m:
            cmds.append(m.group(1))
    return cmds


def compare(what, page, helptext, problems):
    text = render(page)
    opts = section(text, "OPTIONS")
    if not opts:
        problems.append(f"{page}: no OPTIONS section")
    have, doc = help_flags(helptext), flags_in(opts)
    for f in sorted(have - doc):
        problems.append(f"{what} --help lists {f}, {os.path.basename(page)} OPTIONS does not")
    for f in sorted(doc - have):
        problems.append(f"{os.path.basename(page)} OPTIONS documents {f}, {what} --help does not")
    problems.extend(lint(page))
    return text


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: check_man.py NATDOCTOR MANDIR")
    nd, mandir = sys.argv[1], sys.argv[2]
    problems = []
    rc, top, err = run([nd, "--help"])
    if rc != 0 or not top:
        raise SystemExit(f"natdoctor --help failed ({rc}): {err.strip()}")
    cmds = commands(top)
    if not cmds:
        problems.append("natdoctor --help lists no commands (has its layout changed?)")
    main_page = os.path.join(mandir, "natdoctor.1")
    text = compare("natdoctor", main_page, top, problems)
    named = set(re.findall(r"natdoctor-([a-z0-9-]+)\(1\)", text))
    for cmd in cmds:
        page = os.path.join(mandir, f"natdoctor-{cmd}.1")
        if not os.path.exists(page):
            problems.append(f"natdoctor {cmd} has no man page: write {page}")
            continue
        if cmd not in named:
            problems.append(f"natdoctor.1 does not name natdoctor-{cmd}(1)")
        rc, h, err = run([nd, cmd, "--help"])
        if rc != 0 or not h:
            problems.append(f"natdoctor {cmd} --help failed ({rc}): {err.strip()}")
            continue
        compare(f"natdoctor {cmd}", page, h, problems)
    for cmd in sorted(named - set(cmds)):
        problems.append(f"natdoctor.1 names natdoctor-{cmd}(1), but natdoctor --help lists no such command")
    for name in sorted(os.listdir(mandir)):
        m = re.match(r"natdoctor-(.+)\.1$", name)
        if m and m.group(1) not in cmds:
            problems.append(f"{name}: natdoctor --help lists no command '{m.group(1)}'")
    for p in problems:
        print("FAIL", p)
    print(f"{len(cmds) + 1} pages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
