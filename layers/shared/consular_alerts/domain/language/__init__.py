"""Language tools the formats and messages share: HTML to text, sentences, cutting text at a
word, language detection and tags, hotlines, country tables and names, and the places a text
is about (gazetteer, inflections)."""
