"""The boot-stage catalog: parse and validate boot-stages/stages.catalog.

Pure functions over text, shared by the header generator (gen_stages), the
runner (run) and any other host tool that needs the stage list. Import with
the boot-stages/ directory on sys.path, or call load() with a path.
"""

import collections
import os
import re

CATALOG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "stages.catalog")

ID_RE = re.compile(r"[a-z0-9_.]+\Z")
FIELDS = ("id", "min_cpus", "marker", "meaning", "hint")
USER_PREFIX = "user."   # stages printed by user space (init, utests)
MAX_CPUS = 255          # min_cpus is a uint8_t in struct stage_desc

Stage = collections.namedtuple("Stage", FIELDS + ("line",))


class CatalogError(ValueError):
    """A malformed catalog; the message names the file and line."""


def enum_name(stage_id):
    """The C enumerator for a stage id: mm.pmm -> STAGE_MM_PMM."""
    return "STAGE_" + stage_id.replace(".", "_").upper()


def user_macro(stage_id):
    """The user-space macro for a user stage: user.brk -> USTAGE_BRK."""
    assert stage_id.startswith(USER_PREFIX), stage_id
    return "USTAGE_" + stage_id[len(USER_PREFIX):].replace(".", "_").upper()


def _parse_line(text, lineno, where):
    fields = [f.strip() for f in text.split("|")]
    if len(fields) != len(FIELDS):
        raise CatalogError("%s:%d: %d fields, expected %d (%s)" %
                           (where, lineno, len(fields), len(FIELDS),
                            " | ".join(FIELDS)))
    for name, value in zip(FIELDS, fields):
        if not value:
            raise CatalogError("%s:%d: empty %s" % (where, lineno, name))
    sid, cpus, marker, meaning, hint = fields
    if not ID_RE.match(sid):
        raise CatalogError("%s:%d: id %r does not match [a-z0-9_.]+" %
                           (where, lineno, sid))
    if not cpus.isdigit() or not 1 <= int(cpus) <= MAX_CPUS:
        raise CatalogError("%s:%d: min_cpus %r is not an integer in 1..%d" %
                           (where, lineno, cpus, MAX_CPUS))
    if not all(" " <= c <= "~" for c in marker):
        raise CatalogError("%s:%d: marker %r is not printable ASCII" %
                           (where, lineno, marker))
    return Stage(sid, int(cpus), marker, meaning, hint, lineno)


def parse(text, where="stages.catalog"):
    """Parse catalog text into a list of Stage, in catalog order.

    Raises CatalogError on a malformed line, a duplicate id, a duplicate
    marker or two ids that map to the same C enumerator.
    """
    stages = []
    seen = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        st = _parse_line(line, lineno, where)
        for key, what in ((st.id, "id"), (st.marker, "marker"),
                          (enum_name(st.id), "enumerator")):
            if (what, key) in seen:
                raise CatalogError("%s:%d: duplicate %s %r (first on line %d)"
                                   % (where, lineno, what, key,
                                      seen[(what, key)]))
            seen[(what, key)] = lineno
        stages.append(st)
    if not stages:
        raise CatalogError("%s: no stages" % where)
    return stages


def load(path=CATALOG_PATH):
    """Read and parse the catalog file at @path."""
    with open(path, encoding="utf-8") as f:
        return parse(f.read(), where=os.path.relpath(path))


def expected(stages, smp):
    """The stages a guest with @smp CPUs must reach, in order."""
    return [st for st in stages if st.min_cpus <= smp]
