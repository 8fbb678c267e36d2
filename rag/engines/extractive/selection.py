"""Choosing the sentences to quote: per part of the question, with their context (headings, list lead-ins,
footnotes), and one special case (a counted list).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.condense import split_carried
from rag.config import Settings, ablated
from rag.engines.base import AnswerContext
from rag.engines.extractive.analysis import (
    _FOCUS_RE,
    STRICT_TYPES,
    _marker_start,
    answer_type,
    focus_terms,
    has_type,
    leans_back,
    with_translation,
)
from rag.engines.extractive.scoring import (
    Scored,
    ScoringParams,
)
from rag.engines.units_answer import AnswerabilityParams
from rag.glossary import expand_terms
from rag.text import terms

# Dutch word order puts the subject right after a finite verb that follows the question word; after a
# counted noun comes its verb ("hoeveel gemeenten *doen* mee")
_SUBJECT_AFTER_VERB = frozenset(
    ["er", "het", "ze", "zij", "je", "jij", "we", "wij", "u", "hij", "men", "jullie", "de", "een", "die", "dat", "dit", "deze"]
)


class SelectionMixin:
    """Choosing the sentences to quote: per part of the question, with their context (headings, list lead-ins, (a part of ExtractiveEngine)."""

    settings: Settings
    params: ScoringParams
    unit_params: AnswerabilityParams

    if TYPE_CHECKING:  # provided by ScoringMixin

        def score_sentences(
            self, ctx: AnswerContext, question: str, qvec: np.ndarray | None, kind: str | None, question_part: str | None = None
        ) -> list[Scored]: ...

        def _demote_repeats(self, ctx: AnswerContext, scored: list[Scored]) -> list[Scored]: ...

        def _accept_typed(self, ctx: AnswerContext, question: str, s: Scored, kind: str | None) -> bool: ...

        def _neighbours(self, ctx: AnswerContext, s: Scored, radius: int) -> list[tuple[int, Any]]: ...

    def select(self, ctx: AnswerContext) -> tuple[list[Scored], Scored | None, str | None]:
        """The sentences to quote (empty = refuse), the best related sentence, and a refusal reason."""
        p = self.params
        parts: list[tuple[str, np.ndarray | None]] = ctx.parts or [(ctx.standalone_question, ctx.query_vec)]
        chosen: list[Scored] = []
        counted: list[Scored] = []  # a counted list's introduction and last item, quoted as they are
        related: Scored | None = None
        debug: list[dict[str, Any]] = []
        for part_q, vec in parts:
            orig_q = part_q  # an English part gets Dutch words added below; the user reads their own words
            kind = answer_type(part_q)
            if kind == "count" and not ablated(self.settings, "list_count"):
                listed = self._list_count(ctx, part_q)
                if listed is not None:
                    n, intro, last = listed
                    debug.append({"part": part_q, "kind": kind, "text": intro.text[:80], "list_count": n})
                    ctx.notes.list_counts.append((n, intro.chunk.doc_id, intro.start))
                    counted.extend([intro, last])
                    continue
            if not ablated(self.settings, "translation"):
                part_q = with_translation(part_q, ctx.language)
            scored = self._demote_repeats(ctx, self.score_sentences(ctx, part_q, vec, kind, orig_q))
            if not scored:
                continue
            candidates = [c for c in self._expand_headings(ctx, scored, kind) if len(c.text) >= p.min_chars]
            if kind in STRICT_TYPES:
                candidates = [s for s in candidates if s.typed and self._accept_typed(ctx, part_q, s, kind)]
            # what the documents do say: a sentence, never a bare heading ("### Tekort aan ...")
            related_pool = [s for s in scored if not (kind in STRICT_TYPES and s.typed) and not s.text.startswith("#")] or scored
            if related is None or related_pool[0].score > related.score:
                related = related_pool[0]
            # each part of a question gets its own answer: a sentence an earlier part already quotes
            # (it carries that part's words) does not answer this one again
            said = {(c.chunk.doc_id, c.start) for c in chosen}
            candidates = [c for c in candidates if (c.chunk.doc_id, c.start) not in said]
            best = candidates[0] if candidates else None
            debug.append(
                {
                    "part": part_q,
                    "kind": kind,
                    "text": best.text[:80] if best else None,
                    "score": round(best.score, 3) if best else None,
                    "dense": round(best.dense, 3) if best else None,
                    "lex": round(best.lex, 3) if best else None,
                }
            )
            if best is None or (best.score < p.min_score and best.dense < p.min_dense):
                if len(parts) > 1:  # the other parts may be answered: say which one is not
                    ctx.notes.unanswered_parts.append(split_carried(orig_q)[0])
                continue
            picked = [best]
            covered = set(best.covered)
            for s in candidates[1:]:
                if len(picked) >= 2 or len(chosen) + len(picked) >= p.max_sentences:
                    break
                if s.score >= p.extra_ratio * best.score and (s.covered - covered):
                    picked.append(s)
                    covered |= s.covered
            cap = p.max_sentences
            picked = self._with_context(ctx, picked, scored, best, cap)
            picked = self._with_context(ctx, picked, scored, best, cap)
            for s in picked:
                if all((c.chunk.doc_id, c.start) != (s.chunk.doc_id, s.start) for c in chosen):
                    chosen.append(s)
        ctx.notes.select_debug = debug
        answered = [d["lex"] for d in debug if d.get("lex") is not None and d.get("text")]
        if chosen and not counted and ctx.notes.unanswered_parts and answered and max(answered) < p.partial_min_lex:
            # one part is not in the documents and the others only loosely match: no partial answer
            ctx.notes.unanswered_parts = []
            chosen = []
        if counted:
            chosen = self._extend_short(ctx, chosen) + counted if chosen else counted
            chosen.sort(key=lambda s: (s.chunk.doc_id, s.start))
            return chosen, related, None
        if not chosen:
            if related is not None and related.dense < p.related_min_dense:
                related = None
            return [], related, "not_in_documents"
        chosen = self._extend_short(ctx, chosen)[: p.max_sentences * min(len(parts), 2)]
        # a footnote is part of the sentence that points at it ("landsdelen[^4]"), never cut by the cap
        chosen = self._footnotes(ctx, chosen)
        first_doc = chosen[0].chunk.doc_id
        chosen.sort(key=lambda s: (s.chunk.doc_id != first_doc, s.chunk.doc_id, s.start))
        return chosen, related, None

    def _list_count(self, ctx: AnswerContext, question: str) -> tuple[int, Scored, Scored] | None:
        """"Aan hoeveel randvoorwaarden moet een deal voldoen?": the documents list them rather than count
        them. The answer is the length of the list introduced by a sentence that names what is asked
        ("... een aantal randvoorwaarden ... Voor de komende Regio Deals gaat het om:"), shown with the
        introduction and the last item, whose own number ("8. ...") makes the count checkable."""
        # a count of things names them right after the question word ("hoeveel *beroepen*"); "hoeveel kan
        # een Regio Deal krijgen?" counts nothing, whatever list mentions "Regio Deals"
        # and the list's introduction names that thing: "hoeveel *gaat* er naar elke pijler?" is no count
        asked = _FOCUS_RE.search(split_carried(question)[0])
        words = asked.group(1).lower().split() if asked is not None else []
        if len(words) > 1 and words[1] in _SUBJECT_AFTER_VERB:
            return None  # "hoeveel gaat *er*", "hoeveel krijgt *de* regio": a verb, its subject after it
        counted = terms(words[0]) if words else []
        if not counted or not focus_terms(question, ctx.language):
            return None
        wanted = set(counted) | set(expand_terms(counted))
        hybrid = ctx.retriever
        document: Callable[[str], Any] | None = ctx.document
        if document is None:
            return None
        sents = hybrid.sentences
        in_passages = {rc.chunk.chunk_id for rc in ctx.passages}
        for i, s in hybrid.sentences_in(in_passages):
            heading = s.text.startswith("#")  # "### Tekort aan beroepsgroepen top 5 (UWV)"
            if s.chunk.chunk_id not in in_passages or not (heading or s.text.rstrip().endswith(":")):
                continue
            named = set(s.terms)
            if i and sents[i - 1].chunk.doc_id == s.chunk.doc_id and not heading:
                named |= set(sents[i - 1].terms)  # "... een aantal randvoorwaarden ... Voor ... gaat het om:"
            if not named & wanted:
                continue
            text = document(s.chunk.doc_id).text
            items: list[tuple[int, int | None]] = []  # (sentence index, item number or None for a bullet)
            for j in range(i + 1, min(i + 60, len(sents))):
                x = sents[j]
                if x.chunk.doc_id != s.chunk.doc_id:
                    break
                before = text[max(0, x.start - 8) : x.start]
                num = re.search(r"(?:^|\n)[ \t]*(\d{1,2})\.[ \t]*$", before)
                bullet = re.search(r"(?:^|\n)[ \t]*[-*•][ \t]*$", before)
                if num or bullet:
                    items.append((j, int(num.group(1)) if num else None))
                elif not items and x.text.startswith(("**", "#")):
                    continue  # a label between the introduction and the list
                elif not (items and "\n" not in before):  # a further sentence of the same item continues it
                    break
            numbers = [k for _, k in items]
            if len(items) < 2 or (None not in numbers and numbers != list(range(1, len(items) + 1))):
                continue
            # a heading is never quoted on its own: then the first item stands for the list's start
            intro = self._item_span(text, items[0][0], sents) if heading else Scored(i, s.chunk, s.start, s.end, s.text, 1.0, 1.0, 1, True, 10.0)
            tail = self._item_span(text, items[-1][0], sents)
            if intro is None or tail is None:
                continue
            return len(items), intro, tail
        return None

    @staticmethod
    def _item_span(text: str, idx: int, sents: list[Any]) -> Scored | None:
        """A list item with its own number or bullet ("8. Perspectief ..."), if that lies in its chunk."""
        x = sents[idx]
        start = _marker_start(text, x.start)
        if start < x.chunk.start:
            return None
        return Scored(idx, x.chunk, start, x.end, text[start : x.end], 1.0, 1.0, 1, True, 10.0)

    def _expand_headings(self, ctx: AnswerContext, scored: list[Scored], kind: str | None = None) -> list[Scored]:
        """A heading is never quoted as an answer; when it is what matches ("Tekort aan beroepsgroepen top 5
        (UWV)"), the list or paragraph under it takes its place with the heading's score."""
        out: list[Scored] = []
        for s in scored:
            if not s.text.startswith("#"):
                out.append(s)
                continue
            block = self._block_after(ctx, s, kind)
            if block is not None:
                out.append(block)
        out.sort(key=lambda x: -x.score)
        return out

    def _block_after(self, ctx: AnswerContext, head: Scored, kind: str | None = None) -> Scored | None:
        """The list (up to 6 items) or first sentence following a heading, as one span."""
        sents = ctx.retriever.sentences_of(head.chunk.chunk_id)
        pos = next((j for j, (_, x) in enumerate(sents) if x.start == head.start), None)
        if pos is None or pos + 1 >= len(sents):
            return None
        first_idx, first = sents[pos + 1]
        if first.text.startswith("#"):
            return None
        end = first.end
        if re.match(r"^\s*([-*•]|\d+\.)\s", first.text):
            for _, x in sents[pos + 2 : pos + 7]:
                if not re.match(r"^\s*([-*•]|\d+\.)\s", x.text):
                    break
                end = x.end
        text = head.chunk.text[first.start - head.chunk.start : end - head.chunk.start]
        return Scored(first_idx, head.chunk, first.start, end, text, head.lex, head.dense, head.chunk_rank,
                      has_type(text, kind), head.score / 0.5, set(head.covered))

    def _footnotes(self, ctx: AnswerContext, chosen: list[Scored]) -> list[Scored]:
        """A quoted sentence with a footnote mark ("landsdelen[^4]", "Commissie Vollebregt*") brings its
        footnote along: that is where titles, dates and lists often are."""
        out = list(chosen)
        hybrid = ctx.retriever
        for s in chosen:
            for word in re.findall(r"([A-Za-zÀ-ÿ][\w-]{3,})\*", s.text):
                for _, x in hybrid.doc_sentences(s.chunk.doc_id):
                    if (
                        x.chunk.doc_id == s.chunk.doc_id
                        and re.match(r"^\\?\*\s", x.text)
                        and word.lower() in x.text.lower()
                        and all(o.start != x.start for o in out)
                    ):
                        out.append(Scored(-1, x.chunk, x.start, x.end, x.text, 0, 0, s.chunk_rank, True, 0))
                        break
            for mark in re.findall(r"\[\^(\w+)\]", s.text):
                for _, x in hybrid.doc_sentences(s.chunk.doc_id):
                    if (
                        x.chunk.doc_id == s.chunk.doc_id
                        and x.text.startswith(f"[^{mark}]:")
                        and all(o.start != x.start for o in out)
                    ):
                        out.append(Scored(-1, x.chunk, x.start, x.end, x.text, 0, 0, s.chunk_rank, True, 0))
                        break
        return out

    def _with_context(
        self, ctx: AnswerContext, picked: list[Scored], scored: list[Scored], best: Scored, cap: int
    ) -> list[Scored]:
        """Add the neighbour a picked sentence leans on or that continues it ("Dit is ook van belang om
        ...", "Deze thema's ..."), or a neighbour that scores well in its own right."""
        p = self.params
        by_start = {(s.chunk.doc_id, s.start): s for s in scored}
        out = list(picked)
        # The best sentence keeps the rest of its thought: following sentences of its paragraph, up to
        # window_chars ("... een tekort aan personeel in de zorg. We willen ... Met opleidingen ...").
        if best in picked and not best.text.lstrip().startswith(("|", "-", "*", "•")):
            total = len(best.text)
            following = [x for x in self._neighbours(ctx, best, 2)[1:] if x[1].start >= best.end]
            following.sort(key=lambda ix: ix[1].start)
            for idx, x in following:
                if len(out) >= cap or total + len(x.text) > p.window_chars:
                    break
                if all(o.start != x.start or o.chunk.doc_id != x.chunk.doc_id for o in out):
                    total += len(x.text)
                    out.append(by_start.get((x.chunk.doc_id, x.start)) or Scored(idx, best.chunk, x.start, x.end, x.text, 0, 0, best.chunk_rank, True, 0))
        for s in list(out):
            neigh = self._neighbours(ctx, s, 1)
            for idx, x in neigh[1:]:
                if len(out) >= cap:
                    break
                if any(o.start == x.start and o.chunk.doc_id == x.chunk.doc_id for o in out):
                    continue
                if len(x.text) < p.min_chars:
                    continue
                sc = by_start.get((x.chunk.doc_id, x.start))
                if s.text.lstrip().startswith("|") and x.text.lstrip().startswith("|"):
                    # table rows are separate facts: a neighbouring row only when it scores like the best
                    if sc is not None and sc.score >= p.extra_ratio * best.score:
                        out.append(sc)
                    continue
                before = x.start < s.start
                leans = leans_back(s.text) if before else leans_back(x.text)
                ratio = p.next_ratio if (s is best and not before) else p.neighbour_ratio
                strong = sc is not None and sc.score >= ratio * best.score
                if leans or strong:
                    out.append(sc or Scored(idx, s.chunk, x.start, x.end, x.text, 0, 0, s.chunk_rank, True, 0))
        return out

    def _extend_short(self, ctx: AnswerContext, chosen: list[Scored]) -> list[Scored]:
        """A sentence ending in ':' or a bare label needs the next line to mean anything."""
        hybrid = ctx.retriever
        out = list(chosen)
        for s in chosen:
            if s.text.rstrip().endswith(":") or (
                len(s.text) < 40 and not s.text.lstrip().startswith("|")
            ):
                sents = hybrid.sentences_of(s.chunk.chunk_id)
                for j, (_idx, x) in enumerate(sents):
                    if x.start == s.start and j + 1 < len(sents):
                        nidx, nx = sents[j + 1]
                        if all(o.start != nx.start for o in out):
                            out.append(Scored(nidx, nx.chunk, nx.start, nx.end, nx.text, 0, 0, s.chunk_rank, True, 0))
                        break
        return out
