using System.ComponentModel.DataAnnotations.Schema;
using PgKit.Mapping;

namespace PgKit.Tests;

public sealed class IdentifierTests
{
    [Theory]
    [InlineData("users", "\"users\"")]
    [InlineData("Users", "\"Users\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("x\"; DROP TABLE users; --", "\"x\"\"; DROP TABLE users; --\"")]
    [InlineData("select", "\"select\"")]
    public void Quote_wraps_and_doubles_quotes(string name, string expected) => Assert.Equal(expected, PgIdentifier.Quote(name));

    [Fact]
    public void Invalid_identifiers_are_rejected_with_the_name_in_the_message()
    {
        Assert.Throws<ArgumentNullException>(() => PgIdentifier.Quote(null!));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => PgIdentifier.Quote("")).Message, StringComparison.Ordinal);
        var nul = Assert.Throws<ArgumentException>(() => PgIdentifier.Quote("a\0b"));
        Assert.Contains("'a\\u0000b'", nul.Message, StringComparison.Ordinal);
        Assert.Contains("NUL", nul.Message, StringComparison.Ordinal);

        Assert.Equal(65, PgIdentifier.Quote(new string('a', 63)).Length);
        var tooLong = Assert.Throws<ArgumentException>(() => PgIdentifier.Quote(new string('a', 64)));
        Assert.Contains(new string('a', 64), tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("64 bytes", tooLong.Message, StringComparison.Ordinal);

        // The limit is in UTF-8 bytes: 31 two-byte letters plus one ASCII letter is 63 bytes; 32 two-byte letters are 64.
        PgIdentifier.Quote(new string('é', 31) + "a");
        Assert.Throws<ArgumentException>(() => PgIdentifier.Quote(new string('é', 32)));
    }

    [Theory]
    [InlineData("authors", null, "authors", "\"authors\"")]
    [InlineData("library.authors", "library", "authors", "\"library\".\"authors\"")]
    [InlineData("My Schema.t", null, "My Schema.t", "\"My Schema.t\"")]
    [InlineData("a.b.c", null, "a.b.c", "\"a.b.c\"")]
    [InlineData(".t", null, ".t", "\".t\"")]
    [InlineData("x;y.z", null, "x;y.z", "\"x;y.z\"")]
    public void Table_names_split_on_the_dot_only_when_both_parts_are_simple(string text, string? schema, string name, string sql)
    {
        TableName table = text;
        Assert.Equal((schema, name, sql), (table.Schema, table.Name, table.ToString()));
        Assert.Equal(table, new TableName(schema, name));
    }

    [Fact]
    public void Constructor_takes_both_parts_literally()
    {
        Assert.Equal("\"odd.name\"", new TableName(null, "odd.name").ToString());
        var table = new TableName("odd.schema", "the \"table\"");
        Assert.Equal("\"odd.schema\".\"the \"\"table\"\"\"", table.ToString());
        var error = Assert.Throws<ArgumentException>(() => new TableName("s", ""));
        Assert.Equal("name", error.ParamName);
    }

    [Fact]
    public void Order_by_quotes_columns_and_parses_directions()
    {
        Assert.Equal("\"created_at\" DESC, \"id\"", ((OrderBy)"created_at DESC, id").ToString());
        Assert.Equal("\"a\", \"b\" DESC", OrderBy.Asc("a").ThenDesc("b").ToString());
        Assert.Equal("\"x; DROP TABLE t\" DESC", ((OrderBy)"x; DROP TABLE t desc").ToString());
        Assert.Equal("\"name\"", ((OrderBy)"  name asc ").ToString());
        Assert.Throws<ArgumentException>(() => (OrderBy)"a,,b");
    }
}

[PgNaming(PgNamingConvention.Exact)]
public sealed class ExactNames
{
    public int UserId { get; set; }

    [Column("renamed")]
    public string? Other { get; set; }
}

public sealed class NamingTests
{
    private sealed class Sample
    {
        public int Id { get; set; }

        public int AuthorId { get; set; }

        public string? HTTPServer { get; set; }

        public int Line2Text { get; set; }

        public int already_snake { get; set; }

        [NotMapped]
        public int Skipped { get; set; }

        public int this[int i] => i;
    }

    [Fact]
    public void Properties_map_to_snake_case_columns()
    {
        var columns = TypeMetadata.For(typeof(Sample)).Columns.Select(c => c.Column);
        // Npgsql's translator (also used for enum labels) keeps digits attached: Line2Text is line2text.
        Assert.Equal(["id", "author_id", "http_server", "line2text", "already_snake"], columns);
    }

    [Fact]
    public void Naming_attribute_keeps_names_exact_and_column_attribute_wins()
    {
        Assert.Equal(["UserId", "renamed"], TypeMetadata.For(typeof(ExactNames)).Columns.Select(c => c.Column));
    }

    [Fact]
    public void Anonymous_types_use_snake_case()
    {
        Assert.Equal(["author_id", "name"], TypeMetadata.For(new { AuthorId = 1, name = "x" }.GetType()).Columns.Select(c => c.Column));
    }

    [Fact]
    public void Two_properties_on_one_column_are_rejected()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TypeMetadata.For(new { AuthorId = 1, author_id = 2 }.GetType()));
        Assert.Contains("author_id", error.Message, StringComparison.Ordinal);
    }
}
