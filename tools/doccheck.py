#!/usr/bin/env python3
"""doccheck.py - every function prototype in a header carries a doc comment.

Reads the C headers named on the command line; a prototype (a file-scope
declaration ending in ");" with a parameter list) must have a comment
ending on the line just above it (a "/* ... */" block or "//" lines).
A section comment naming source files ("/* peer.c: ... */",
"/* ---- script (script.c, scriptrun.c) ---- */") is a tag: each prototype
below it, up to the next tag, must be defined in one of those files (next
to the header). Prints each undocumented or mistagged prototype as
file:line: name, and exits 1 if there is any.
"""
import os
import re
import sys

PROTO = re.compile(r'^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\(')
SKIP = ('typedef', '#', 'static inline', 'return')


def statements(lines):
    """Yield (first line number, text) of file-scope statements."""
    depth, buf, start, in_comment = 0, [], None, False
    for i, line in enumerate(lines):
        s = line.strip()
        if in_comment:
            if '*/' in s:
                in_comment = False
            continue
        if s.startswith('/*'):
            if '*/' not in s:
                in_comment = True
            continue
        if not s or s.startswith('//') or s.startswith('#'):
            continue
        if depth == 0 and not buf:
            start = i
        buf.append(s)
        depth += s.count('{') - s.count('}')
        if depth == 0 and (s.endswith(';') or s.endswith('}')):
            yield start, ' '.join(buf)
            buf = []


BANNER = re.compile(r'^/\* -{2,}.*-{2,} \*/$')
FILES = r'((?:[\w-]+\.c(?:, | / |,? and )?)+)'
TAG = re.compile(r'^/\* (?:handlers: )?' + FILES + r'(?::.*)? \*/$')
BANNER_TAG = re.compile(r'^/\* -{2,}[^(]*\(' + FILES + r'\) -{2,} \*/$')


def scopes(lines):
    """For each line, the source files the tag above it names (or None).

    A banner ("/* ---- name (a.c) ---- */") holds until the next banner; a
    one-line tag ("/* a.c */", "/* a.c: what */") until the next blank line.
    """
    out, banner, tag = [], None, None
    for line in lines:
        s = line.strip()
        if not s:
            tag = None
        elif BANNER.match(s):
            m = BANNER_TAG.match(s)
            banner = re.findall(r'[\w-]+\.c', m.group(1)) if m else None
            tag = None
        else:
            m = TAG.match(s)
            if m:
                tag = re.findall(r'[\w-]+\.c', m.group(1))
        out.append(tag or banner)
    return out


def defined_in(path, name, files):
    """True when NAME is defined (not only declared) in one of FILES."""
    pat = re.compile(r'^[A-Za-z_].*\b' + name + r'\(')
    for f in files:
        src = os.path.join(os.path.dirname(path), f)
        try:
            with open(src, encoding='utf-8') as fh:
                text = fh.read().split('\n')
        except OSError:
            continue
        for k, line in enumerate(text):
            if pat.match(line) and not line.rstrip().endswith(';'):
                return True
            if pat.match(line) and k + 1 < len(text) and text[k + 1].startswith('{'):
                return True
    return False


def documented(lines, i):
    j = i - 1
    return j >= 0 and (lines[j].rstrip().endswith('*/') or
                       lines[j].lstrip().startswith('//'))


def main(paths):
    bad = 0
    for path in paths:
        with open(path, encoding='utf-8') as f:
            lines = f.read().split('\n')
        scope = scopes(lines)
        for i, text in statements(lines):
            if text.startswith(SKIP) or '{' in text or '(*' in text.split('(')[0]:
                continue
            m = PROTO.match(text)
            if not m or not re.search(r'\)\s*(__attribute__.*)?;$', text):
                continue
            files = scope[i]
            if files and not defined_in(path, m.group(1), files):
                print(f'{path}:{i + 1}: {m.group(1)} is not defined in '
                      f'the tagged {", ".join(files)}')
                bad += 1
            if not documented(lines, i):
                try:
                    print(f'{path}:{i + 1}: {m.group(1)} has no doc comment')
                except BrokenPipeError:
                    return 1
                bad += 1
    if bad:
        print(f'doccheck: {bad} prototypes without a doc comment', file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
