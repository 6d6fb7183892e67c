"""The parts of the summarise stage (``digest.summarize`` puts them together).

text.py       clean_text, split_sentences: paragraphs and sentences (quotations atomic, attribution kept)
sentences.py  every sentence of an article marked: may be shown, or heading / junk / quote / fragment
cohesion.py   which sentence a sentence leans on (这/该/此/其, pronouns, connectives)
keywords.py   tags: TextRank weighted by jieba's IDF and the other articles, whole noun phrases, no private names
script.py     traditional Chinese analysed in simplified characters (OpenCC), shown as printed
"""
