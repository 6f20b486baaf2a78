"""Shared runs: long stretches printed word for word, found wherever they sit."""

from __future__ import annotations

import numpy as np

from provcheck.alignment import runs
from provcheck.alignment.align import align_pair
from provcheck.settings import Settings
from provcheck.text.lexicon import Lexicon
from provcheck.text.segment import segment

# A list as a page saves it: short lines the chrome rules read as furniture.
MENU = ["Home", "Office of Media Relations", "Field Operations Northern Division",
        "State Terrorism Threat Assessment Center", "Administrative Services Division",
        "Leadership Development and Communications",
        "Office of Community Outreach and Recruitment", "Office of the Academy", "Contact"]


def test_a_list_copied_into_a_paragraph_is_found(seed_texts: dict[str, str]) -> None:
    """The source prints a list as short lines (page chrome by the rules of one page);
    the copy runs them together in a paragraph of its text: it is still a copy."""
    listed = "\n".join(MENU)
    source = seed_texts["000"][:1500] + "\n\n" + listed + "\n\n" + seed_texts["000"][1500:3000]
    joined = " ".join(MENU)
    doc = seed_texts["004"][:2000] + "\n\n" + joined + "\n\n" + seed_texts["004"][2000:3500]
    lexicon = Lexicon()
    seg_b = segment("b", source, lexicon)
    listed_at = source.index(listed)
    in_list = (seg_b.block_span[:, 0] >= listed_at) & \
        (seg_b.block_span[:, 1] <= listed_at + len(listed))
    assert seg_b.page_chrome[in_list].all(), "the list should read as chrome in its source"
    found = align_pair(segment("a", doc, lexicon), doc, seg_b, source, Settings())
    at = doc.index(joined)
    assert [(r.a.start, r.a.end, r.b.start, r.b.end) for r in found] == \
        [(at, at + len(joined), listed_at, listed_at + len(listed))]


def test_a_menu_two_pages_share_as_chrome_is_not_reuse(seed_texts: dict[str, str]) -> None:
    """Furniture on both sides is furniture: two pages of one site, each with the same
    menu, on different subjects, share nothing."""
    listed = "\n".join(MENU)
    a = seed_texts["000"][:2000] + "\n\n" + listed
    b = seed_texts["004"][:2000] + "\n\n" + listed
    lexicon = Lexicon()
    assert align_pair(segment("a", a, lexicon), a, segment("b", b, lexicon), b,
                      Settings()) == ()


def test_runs_are_maximal_and_found_once() -> None:
    """Every run of RUN_WORDS tokens or more both texts print, whole, once each, with
    the strided lookup finding runs that start at any token."""
    rng = np.random.default_rng(7)
    vocabulary = [f"w{k}" for k in range(400)]
    shared = " ".join(rng.choice(vocabulary, runs.RUN_WORDS + 3))
    short = " ".join(rng.choice(vocabulary, runs.RUN_WORDS - 2))
    for offset in range(runs.STRIDE):
        a = " ".join(rng.choice(vocabulary, 50 + offset)) + " " + shared + " x1 " + short
        b = " ".join(rng.choice(vocabulary, 30)) + " y1 " + shared + " y2 " + short + " y3"
        lexicon = Lexicon()
        seg_a, seg_b = segment("a", a, lexicon), segment("b", b, lexicon)
        found = runs.shared_runs(runs.gram_index(seg_a), runs.gram_index(seg_b))
        assert len(found) == 1, (offset, found)
        (a0, a1), (b0, b1) = found[0]
        assert a1 - a0 == runs.RUN_WORDS + 3
        assert a[int(seg_a.tok_start[a0]):int(seg_a.tok_end[a1 - 1])] == shared
        assert b[int(seg_b.tok_start[b0]):int(seg_b.tok_end[b1 - 1])] == shared
