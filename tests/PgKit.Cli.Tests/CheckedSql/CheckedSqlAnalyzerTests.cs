using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Npgsql;
using Npgsql.NameTranslation;
using PgKit.Analyzers;
using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests.CheckedSql;

/// <summary>
/// The analyzer on real descriptions: each test's code is compiled, its statements described by the same describer
/// <c>pgkit sql prepare</c> uses against a real server holding the schema below, the file written as prepare writes it,
/// and the analyzer run on the code with that file.
/// </summary>
public sealed class CheckedSqlAnalyzerTests(CheckedSqlAnalyzerTests.Schema schema) : IClassFixture<CheckedSqlAnalyzerTests.Schema>
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Npgsql;
        using PgKit;

        public sealed record Author(int Id, string Name, string? Email);
        public sealed record AuthorScore(int Id, int Score);
        public sealed record AuthorMaybeScore(int Id, int? Score);
        public sealed class AuthorRow { public int Id { get; set; } public string Name { get; set; } = ""; }

        public static class Code
        {
            public static async Task Run(NpgsqlConnection db, int id, string text, string dynamicSql)
            {
        """;

    [Fact]
    public async Task MatchingStatementsAndTypes_ReportNothing()
    {
        var diagnostics = await DiagnoseAsync("""
            await db.FetchAsync<Author>("SELECT id, name, email FROM author WHERE id = $1", [id]);
            await db.FetchAsync<AuthorRow>("SELECT * FROM author");
            await db.FetchValueAsync<long>("SELECT count(*) FROM author WHERE name = $1", [text]);
            await db.FetchAsync<(int, string)>("SELECT id, name FROM author");
            await db.ExecuteSqlAsync("DELETE FROM author WHERE id = $1", [id]);
            await db.FetchAsync<AuthorScore>("SELECT a.id, r.score FROM author a JOIN article r ON r.author_id = a.id");
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task UnknownColumn_IsAnError_WithPostgresMessage()
    {
        var diagnostics = await DiagnoseAsync("""await db.FetchAsync<Author>("SELECT id, nmae, email FROM author");""");

        var d = Assert.Single(diagnostics);
        Assert.Equal("PGK1001", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("column \"nmae\" does not exist", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("42703", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongArgumentCount_IsAnError()
    {
        var diagnostics = await DiagnoseAsync("""await db.FetchAsync<Author>("SELECT * FROM author WHERE id = $1 AND name = $2", [id]);""");

        var d = Assert.Single(diagnostics);
        Assert.Equal("PGK1002", d.Id);
        Assert.Contains("uses 2 parameter(s)", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArgumentOfTheWrongType_IsAnError_AsPostgresJudgesTheTypeNpgsqlSends()
    {
        // PREPARE alone infers $1 as text and accepts; Npgsql sends an int as integer, which text = integer refuses.
        var diagnostics = await DiagnoseAsync("""await db.FetchAsync<Author>("SELECT * FROM author WHERE name = $1", [id]);""");

        var d = Assert.Single(diagnostics);
        Assert.Equal("PGK1003", d.Id);
        Assert.Contains("operator does not exist: text = integer", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RowMemberNoColumnFills_AndMemberOfTheWrongType_AreErrors()
    {
        var diagnostics = await DiagnoseAsync("""
            await db.FetchAsync<Author>("SELECT id, name FROM author");
            await db.FetchAsync<AuthorScore>("SELECT id, name AS score FROM author");
            """);

        Assert.Equal(["PGK1004", "PGK1004"], diagnostics.Select(d => d.Id));
        Assert.Contains("No column 'email' fills Author.Email", diagnostics[0].GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("Column 'score' (text) cannot be read into AuthorScore.Score (int)", diagnostics[1].GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotNullColumn_ThroughLeftJoin_IntoNonNullableValue_IsAWarning()
    {
        // article.score is NOT NULL in its table, and the server's row description still says so through the LEFT JOIN.
        var diagnostics = await DiagnoseAsync("""
            await db.FetchAsync<AuthorScore>("SELECT a.id, r.score FROM author a LEFT JOIN article r ON r.author_id = a.id");
            await db.FetchAsync<AuthorMaybeScore>("SELECT a.id, r.score FROM author a LEFT JOIN article r ON r.author_id = a.id WHERE a.id > 0");
            await db.FetchAsync<AuthorScore>("SELECT r.id, a.id AS score FROM article r RIGHT JOIN author a ON r.author_id = a.id");
            """);

        Assert.Equal(["PGK1005", "PGK1005"], diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains("Column 'score' of article can be NULL here but AuthorScore.Score (int)", diagnostics[0].GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("Column 'id' of article can be NULL here but AuthorScore.Id (int)", diagnostics[1].GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatementNotInTheFile_IsAWarningToRunPrepare_AndRuntimeSql_IsSkipped()
    {
        var diagnostics = await DiagnoseAsync(
            """
            await db.FetchAsync<Author>("SELECT * FROM author WHERE id = 2");
            await db.FetchAsync<Author>(dynamicSql);
            await db.FetchAsync<Author>("SELECT * FROM nope " + text);
            """,
            describe: false);

        var d = Assert.Single(diagnostics);
        Assert.Equal("PGK1006", d.Id);
        Assert.Contains("pgkit sql prepare", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnWrapper_WithTheAttribute_IsChecked()
    {
        var diagnostics = await DiagnoseAsync(
            """
            await Wrap.Rows<Author>(db, "SELECT id, name, email FROM authr", [id]);
            }
            }

            public static class Wrap
            {
                public static Task<IReadOnlyList<T>> Rows<T>(NpgsqlConnection db, [PgSql] string sql, IReadOnlyList<object?> args)
                    => db.FetchAsync<T>(sql, args);

                public static void Unused()
                {
            """);

        var d = Assert.Single(diagnostics);
        Assert.Equal("PGK1001", d.Id);
        Assert.Contains("relation \"authr\" does not exist", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AuthorId")]
    [InlineData("HTTPServer")]
    [InlineData("Line2Text")]
    [InlineData("already_snake")]
    [InlineData("ID")]
    [InlineData("UserIDs")]
    [InlineData("A1B2")]
    [InlineData("createdAt")]
    public void SnakeCase_AgreesWithNpgsql(string name) =>
        Assert.Equal(NpgsqlSnakeCaseNameTranslator.ConvertToSnakeCase(name, CultureInfo.InvariantCulture), RowMembers.ToSnakeCase(name));

    private async Task<List<Diagnostic>> DiagnoseAsync(string body, bool describe = true)
    {
        var source = Header + body + "\n    }\n}\n";
        var compilation = CSharpCompilation.Create(
            "Checked" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            InMemoryCompilation.References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var file = new SqlFile { Migrations = "test" };
        if (describe)
        {
            await using var connection = new NpgsqlConnection(schema.ConnectionString);
            await connection.OpenAsync();
            var describer = new StatementDescriber(connection);
            await describer.InitializeAsync(CancellationToken.None);
            foreach (var group in SqlStatementFinder.FindAll(compilation, CancellationToken.None).GroupBy(f => f.Sql))
            {
                file.Statements[SqlFile.KeyOf(group.Key)] = await describer.DescribeAsync(group.Key, group.Select(f => f.ArgumentTypesKey).OfType<string>(), CancellationToken.None);
            }
        }

        var options = new AnalyzerOptions([new InMemoryText("/app/pgkit-sql.json", SqlCommands.Write(file))]);
        var analyzed = compilation.WithAnalyzers([new CheckedSqlAnalyzer()], options);
        var diagnostics = await analyzed.GetAnalyzerDiagnosticsAsync();
        return [.. diagnostics.OrderBy(d => d.Location.SourceSpan.Start)];
    }

    /// <summary>A scratch database of the shared test server with a small schema.</summary>
    public sealed class Schema : IAsyncLifetime
    {
        private ScratchDatabase? database;

        public string ConnectionString => database!.ConnectionString;

        public async ValueTask InitializeAsync()
        {
            database = await ScratchDatabase.CreateAsync();
            await database.ScalarAsync<object>("""
                CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL, email text);
                CREATE TABLE article (id integer PRIMARY KEY, author_id integer NOT NULL REFERENCES author, title text NOT NULL, score integer NOT NULL);
                """);
        }

        public async ValueTask DisposeAsync()
        {
            if (database is not null)
            {
                await database.DisposeAsync();
            }
        }
    }
}
