"""Language tools the formats share: HTML to text, sentences, language detection and tags,
hotlines, country tables, and the places a text is about (gazetteer, inflections)."""
