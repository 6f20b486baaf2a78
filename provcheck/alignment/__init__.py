"""Alignment: the reused regions two documents share, found sentence by sentence
(``vectors`` seeds them, ``passages`` refines them word by word, ``align`` ties it together)."""
