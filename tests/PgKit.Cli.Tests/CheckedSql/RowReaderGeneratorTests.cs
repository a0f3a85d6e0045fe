using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Npgsql;
using PgKit.Analyzers;
using PgKit.Cli.Tests.Support;

namespace PgKit.Cli.Tests.CheckedSql;

/// <summary>
/// The row reader generator on real descriptions: each test's code is compiled, its statements described against a real
/// server by the describer <c>pgkit sql prepare</c> uses, and the generator run on the code with that file. The last
/// tests load the generated assembly and read real rows through <c>FetchAsync</c>.
/// </summary>
public sealed class RowReaderGeneratorTests(RowReaderGeneratorTests.Schema schema) : IClassFixture<RowReaderGeneratorTests.Schema>
{
    private const string ItemColumns =
        "id, big, small, name, note, flag, key, at, day, clock, span, price, ratio, ratio4, data, doc, tags, labels, maybe, code";

    private const string Header = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Npgsql;
        using PgKit;

        namespace Gen;

        public sealed record Item(int Id, long Big, short Small, string Name, string? Note, bool Flag, Guid Key, DateTimeOffset At,
            DateOnly Day, TimeOnly Clock, TimeSpan Span, decimal Price, double Ratio, float Ratio4, byte[] Data, string Doc,
            int[] Tags, string[] Labels, int? Maybe, string Code);
        public sealed class ItemRow { public int Id { get; set; } public string Name { get; set; } = ""; public string? Note { get; set; } public DateTime At { get; set; } }
        public sealed record Narrow(int Id, string Name);
        public sealed record Wide(long Id, string Name);
        public enum Mood { Calm, Busy }
        public sealed record WithMood(int Id, Mood Small);
        public sealed record Missing(int Id, string Nmae);

        public static class Code
        {

        """;

    private const string Footer = "\n}\n";

    [Fact]
    public async Task Readers_CompileWarningFree_AndReadEachColumnByOrdinal_WithItsTypedGetter()
    {
        var (source, output) = await GenerateAsync($$"""
            public static Task<IReadOnlyList<Item>> Items(NpgsqlConnection db) => db.FetchAsync<Item>("SELECT {{ItemColumns}} FROM item ORDER BY id");
            public static Task<ItemRow?> Row(NpgsqlConnection db, int id) => db.FetchRowAsync<ItemRow>("SELECT at, note, name, id FROM item WHERE id = $1", [id]);
            public static Task<IReadOnlyList<(int Id, string? Note)>> Pairs(NpgsqlConnection db) => db.FetchAsync<(int Id, string? Note)>("SELECT id, note FROM item");
            public static Task<IReadOnlyList<string>> Names(NpgsqlConnection db) => db.FetchAsync<string>("SELECT name FROM item");
            """);

        Assert.NotNull(source);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(4, Count(source, "private sealed class Reader"));

        // A NOT NULL column into a non-nullable member: the getter alone; a nullable member or column: IsDBNull first.
        Assert.Contains("reader.GetInt32(0),", source, StringComparison.Ordinal);
        Assert.Contains("reader.GetInt64(1),", source, StringComparison.Ordinal);
        Assert.Contains("reader.IsDBNull(4) ? default(string?) : reader.GetString(4),", source, StringComparison.Ordinal);
        Assert.Contains("reader.GetFieldValue<global::System.DateTimeOffset>(7),", source, StringComparison.Ordinal);
        Assert.Contains("reader.GetFieldValue<int[]>(16),", source, StringComparison.Ordinal);
        Assert.Contains("reader.IsDBNull(18) ? default(int?) : reader.GetInt32(18),", source, StringComparison.Ordinal);
        Assert.Equal(2, Count(source, "IsDBNull(4)") + Count(source, "IsDBNull(18)"));

        // Properties by name, wherever the column is; a tuple by position; a scalar from the first column.
        Assert.Contains("Id = reader.GetInt32(3),", source, StringComparison.Ordinal);
        Assert.Contains("At = reader.GetDateTime(0),", source, StringComparison.Ordinal);
        Assert.Contains("return (reader.GetInt32(0), reader.IsDBNull(1) ? default(string?) : reader.GetString(1));", source, StringComparison.Ordinal);
        Assert.Contains("return reader.GetString(0);", source, StringComparison.Ordinal);

        // CheckColumns compares every recorded column by name and built-in type OID (varchar(20) is its base type, 1043).
        Assert.Contains("""Expect(reader, 19, "code", 1043u, "character varying", "Item", Sql);""", source, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Reflection", source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneStatementReadIntoOneType_IsOneReader_AnotherType_GetsItsOwn()
    {
        var (source, _) = await GenerateAsync("""
            public static Task<IReadOnlyList<Narrow>> A(NpgsqlConnection db) => db.FetchAsync<Narrow>("SELECT id, name FROM item");
            public static Task<Narrow?> B(NpgsqlConnection db) => db.FetchRowAsync<Narrow?>("SELECT id, name FROM item");
            public static Task<IReadOnlyList<(int, string)>> C(NpgsqlConnection db) => db.FetchAsync<(int, string)>("SELECT id, name FROM item");
            """);

        Assert.NotNull(source);
        Assert.Equal(2, Count(source, "private sealed class Reader"));
        Assert.Equal(1, Count(source, "RowReaders.Register<global::Gen.Narrow>"));
        Assert.Equal(1, Count(source, "RowReaders.Register<(int, string)>"));
    }

    [Fact]
    public async Task NoReader_WhenARowDoesNotMatch_OrIsNotReadExactly_OrTheStatementIsNotDescribed()
    {
        // No column fills Missing.Nmae; integer into long is a conversion; an enum is read by the mapper's rules; runtime SQL.
        var (source, _) = await GenerateAsync("""
            public static Task<IReadOnlyList<Missing>> A(NpgsqlConnection db) => db.FetchAsync<Missing>("SELECT id, name FROM item");
            public static Task<IReadOnlyList<Wide>> B(NpgsqlConnection db) => db.FetchAsync<Wide>("SELECT id, name FROM item");
            public static Task<IReadOnlyList<WithMood>> C(NpgsqlConnection db) => db.FetchAsync<WithMood>("SELECT id, small FROM item");
            public static Task<IReadOnlyList<Narrow>> D(NpgsqlConnection db, string sql) => db.FetchAsync<Narrow>(sql);
            """);
        Assert.Null(source);

        var (undescribed, _) = await GenerateAsync("""
            public static Task<IReadOnlyList<Narrow>> A(NpgsqlConnection db) => db.FetchAsync<Narrow>("SELECT id, name FROM item");
            """, describe: false);
        Assert.Null(undescribed);
    }

    [Fact]
    public async Task PgKitSqlCheckFalse_GeneratesNothing()
    {
        const string Body = """
            public static Task<IReadOnlyList<Narrow>> A(NpgsqlConnection db) => db.FetchAsync<Narrow>("SELECT id, name FROM item");
            """;

        var (on, _) = await GenerateAsync(Body);
        var (off, _) = await GenerateAsync(Body, sqlCheck: "false");

        Assert.NotNull(on);
        Assert.Null(off);
    }

    [Fact]
    public async Task AnEditElsewhere_LeavesTheGeneratedSourceCached()
    {
        const string Body = """
            public static Task<IReadOnlyList<Narrow>> A(NpgsqlConnection db) => db.FetchAsync<Narrow>("SELECT id, name FROM item");
            """;
        var (_, output) = await GenerateAsync(Body);
        var compilation = output.RemoveSyntaxTrees(output.SyntaxTrees.Skip(1));
        var file = await FileForAsync(compilation);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new RowReaderGenerator().AsSourceGenerator()],
            [new InMemoryText("/app/pgkit-sql.json", file)],
            (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
            new BuildProperties([]),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);

        // A new method in the same file: the calls are found again, compare equal, and the output is not regenerated.
        var tree = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().Replace(tree.GetText().ToString().LastIndexOf('}'), 0, "public static int Unrelated() => 42;\n")));
        var rerun = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = rerun.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public async Task GeneratedReader_IsWhatFetchAsyncUses_AndReadsTheSameRowsAsTheReflectionMapper()
    {
        var assembly = await LoadAsync($$"""
            public const string Sql = "SELECT {{ItemColumns}} FROM item ORDER BY id";
            public static async Task<object> Generated(NpgsqlConnection db) => await db.FetchAsync<Item>(Sql);
            // The same statement with a trailing space: not a constant the generator saw, so the reflection mapper reads it.
            public static async Task<object> Reflected(NpgsqlConnection db, string space) => await db.FetchAsync<Item>(Sql + space);
            public static async Task<object> GeneratedRow(NpgsqlConnection db) => (await db.FetchRowAsync<ItemRow>("SELECT at, note, name, id FROM item WHERE id = $1", [2]))!;
            public static async Task<object> ReflectedRow(NpgsqlConnection db, string space) => (await db.FetchRowAsync<ItemRow>("SELECT at, note, name, id FROM item WHERE id = $1" + space, [2]))!;
            """);

        await using var db = new NpgsqlConnection(schema.ConnectionString);
        var generated = await CallAsync(assembly, "Generated", db);
        var reflected = await CallAsync(assembly, "Reflected", db, " ");
        var json = JsonSerializer.Serialize(generated);
        Assert.Equal(JsonSerializer.Serialize(reflected), json);
        Assert.Contains("\"Note\":null", json, StringComparison.Ordinal);
        Assert.Contains("\"Maybe\":7", json, StringComparison.Ordinal);
        Assert.Equal(JsonSerializer.Serialize(await CallAsync(assembly, "ReflectedRow", db, " ")), JsonSerializer.Serialize(await CallAsync(assembly, "GeneratedRow", db)));
    }

    [Fact]
    public async Task GeneratedReader_AfterAColumnIsRetyped_ThrowsNamingTheColumn()
    {
        await schema.ExecuteAsync("CREATE TABLE drift (id integer PRIMARY KEY, score integer NOT NULL); INSERT INTO drift VALUES (1, 10);");
        var assembly = await LoadAsync("""
            public sealed record Drift(int Id, int Score);
            public static async Task<object> Generated(NpgsqlConnection db) => await db.FetchAsync<Drift>("SELECT id, score FROM drift");
            public static async Task<object> Reflected(NpgsqlConnection db, string space) => await db.FetchAsync<Drift>("SELECT id, score FROM drift" + space);
            """);
        await using var db = new NpgsqlConnection(schema.ConnectionString);
        Assert.Contains("\"Score\":10", JsonSerializer.Serialize(await CallAsync(assembly, "Generated", db)), StringComparison.Ordinal);

        await schema.ExecuteAsync("ALTER TABLE drift ALTER COLUMN score TYPE text");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CallAsync(assembly, "Generated", db));
        Assert.Contains("The generated reader of Drift no longer matches the statement's result: column 2 is 'score' (text) where pgkit-sql.json has 'score' (integer)", error.Message, StringComparison.Ordinal);
        Assert.Contains("run `pgkit sql prepare` and rebuild", error.Message, StringComparison.Ordinal);

        // The reflection mapper, which the generated reader replaced, fails differently on the same result.
        var reflected = await Record.ExceptionAsync(() => CallAsync(assembly, "Reflected", db, " "));
        Assert.DoesNotContain("generated reader", reflected?.Message ?? string.Empty, StringComparison.Ordinal);
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<object> CallAsync(Assembly assembly, string method, params object[] arguments)
    {
        var task = (Task<object>)assembly.GetType("Gen.Code")!.GetMethod(method)!.Invoke(null, arguments)!;
        return await task;
    }

    // Compiles the code with its generated readers and loads it: its module initializer registers them when Gen.Code is first used.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Tests run untrimmed.")]
    private async Task<Assembly> LoadAsync(string body)
    {
        var (source, output) = await GenerateAsync(body);
        Assert.NotNull(source);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(image);
    }

    // Runs the generator on the code: returns its source (null when it generated none) and the compilation with it added.
    private async Task<(string? Source, Compilation Output)> GenerateAsync(string body, bool describe = true, string? sqlCheck = null)
    {
        var compilation = CSharpCompilation.Create(
            "Generated" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(Header + body + Footer, new CSharpParseOptions(LanguageVersion.Latest))],
            InMemoryCompilation.References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var file = describe ? await FileForAsync(compilation) : SqlCommands.Write(new SqlFile { Migrations = "test" });
        var options = new BuildProperties(sqlCheck is null ? [] : new Dictionary<string, string> { ["build_property.PgKitSqlCheck"] = sqlCheck });
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new RowReaderGenerator().AsSourceGenerator()],
            [new InMemoryText("/app/pgkit-sql.json", file)],
            (CSharpParseOptions)compilation.SyntaxTrees[0].Options,
            options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return (result.GeneratedSources.SingleOrDefault().SourceText?.ToString(), output);
    }

    // pgkit-sql.json as prepare writes it for the compilation's statements, described against the schema.
    private async Task<string> FileForAsync(Compilation compilation)
    {
        var file = new SqlFile { Migrations = "test" };
        await using var connection = new NpgsqlConnection(schema.ConnectionString);
        await connection.OpenAsync();
        var describer = new StatementDescriber(connection);
        await describer.InitializeAsync(CancellationToken.None);
        foreach (var group in SqlStatementFinder.FindAll(compilation, CancellationToken.None).GroupBy(f => f.Sql))
        {
            file.Statements[SqlFile.KeyOf(group.Key)] = await describer.DescribeAsync(group.Key, group.Select(f => f.ArgumentTypesKey).OfType<string>(), CancellationToken.None);
        }

        return SqlCommands.Write(file);
    }

    private sealed class BuildProperties(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }

    /// <summary>A scratch database of the shared test server with rows of every type a generated reader reads.</summary>
    public sealed class Schema : IAsyncLifetime
    {
        private ScratchDatabase? database;

        public string ConnectionString => database!.ConnectionString;

        public Task ExecuteAsync(string sql) => database!.ScalarAsync<object>(sql);

        public async ValueTask InitializeAsync()
        {
            database = await ScratchDatabase.CreateAsync();
            await database.ScalarAsync<object>("""
                CREATE TABLE item (
                    id integer PRIMARY KEY, big bigint NOT NULL, small smallint NOT NULL, name text NOT NULL, note text,
                    flag boolean NOT NULL, key uuid NOT NULL, at timestamptz NOT NULL, day date NOT NULL, clock time NOT NULL,
                    span interval NOT NULL, price numeric NOT NULL, ratio double precision NOT NULL, ratio4 real NOT NULL,
                    data bytea NOT NULL, doc jsonb NOT NULL, tags integer[] NOT NULL, labels text[] NOT NULL, maybe integer,
                    code varchar(20) NOT NULL);
                INSERT INTO item VALUES
                    (1, 9000000000, 7, 'one', 'a note', true, '6f1c1f0e-3a55-4d6e-9d2b-1b2c3d4e5f60', '2026-01-02 03:04:05.123456+00',
                     '2026-01-02', '03:04:05', '1 day 2 hours', 12.3400, 0.5, 0.25, '\x0102', '{"a": 1}', '{1,2,3}', '{x,y}', NULL, 'c1'),
                    (2, -1, -2, 'two', NULL, false, '00000000-0000-0000-0000-000000000002', '1999-12-31 23:59:59+00',
                     '1999-12-31', '23:59:59.5', '-3 minutes', -0.001, -1e300, 3.5, '\x', '[]', '{}', '{}', 7, 'c2');
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
