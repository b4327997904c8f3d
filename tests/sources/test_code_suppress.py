from dbexpert.sources.suppress import WHOLE_FILE_END, is_suppressed, parse_code_suppressions


def test_trailing_own_line_and_whole_file_comments():
    text = (
        "model Post {\n"
        "  id BigInt @id // dbexpert: ignore[rule-a]\n"
        "  // dbexpert: ignore[rule-b, rule-c]\n"
        "\n"
        "  // another comment\n"
        "  authorId BigInt\n"
        "}\n"
        "// dbexpert: ignore-file[rule-d]\n"
    )
    found = parse_code_suppressions(text, "//")
    assert is_suppressed(found, "rule-a", 2) and not is_suppressed(found, "rule-a", 3)
    assert is_suppressed(found, "rule-b", 6) and is_suppressed(found, "rule-c", 6)
    assert not is_suppressed(found, "rule-b", 5)
    assert any(s.end_line == WHOLE_FILE_END and "rule-d" in s.rules for s in found)


def test_python_uses_hash_and_ignores_slashes():
    text = "class Post(Base):  # dbexpert: ignore[rule-a]\n    url = 'http://x'  // dbexpert: ignore[rule-b]\n"
    found = parse_code_suppressions(text, "#")
    assert is_suppressed(found, "rule-a", 1)
    assert not is_suppressed(found, "rule-b", 2)
