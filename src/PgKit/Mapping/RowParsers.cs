using System.Diagnostics.CodeAnalysis;
using System.Data;
using System.Data.Common;
using System.Reflection;
using Dapper;
using Npgsql;

namespace PgKit.Mapping;

/// <summary>Builds, for one result set, the reader that turns the current row into a <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The result type: a scalar, a value tuple, a record or a class.</typeparam>
[RequiresUnreferencedCode(Aot.Reflection)]
[RequiresDynamicCode(Aot.DynamicCode)]
internal static class RowParsers<T>
{
    private static readonly Kind TypeKind = typeof(T) == typeof(object) || TypeKinds.HasDapperHandler(typeof(T))
        ? Kind.Dapper
        : TypeKinds.IsScalar(typeof(T)) ? Kind.Scalar : TypeKinds.IsValueTuple(typeof(T)) ? Kind.Tuple : Kind.Row;

    /// <summary>The most result shapes kept per row type; a program reading one type in more shapes rebuilds some.</summary>
    internal const int MaxPlans = 16;

    private static readonly Lock PlansLock = new();
    private static Plan[] plans = [];
    private static Plan? lastPlan;
    private static int nextVictim;
    private static int plansBuilt;

    private enum Kind
    {
        Scalar,
        Tuple,
        Row,
        Dapper,
    }

    /// <summary>Gets how many result shapes have been planned (and, for rows, compiled) for <typeparamref name="T"/>; for tests.</summary>
    internal static int PlansBuilt => Volatile.Read(ref plansBuilt);

    /// <summary>Gets how many result shapes are cached for <typeparamref name="T"/>; for tests.</summary>
    internal static int PlansCached => Volatile.Read(ref plans).Length;

    /// <summary>A reader for the rows of <paramref name="reader"/>'s current result; call <see cref="RowCursor{T}.Release"/> when done.</summary>
    public static RowCursor<T> Create(NpgsqlDataReader reader)
    {
        switch (TypeKind)
        {
            case Kind.Scalar:
                return new RowCursor<T>(CreateScalar(reader, 0));
            case Kind.Dapper:
                // Dapper reads the real reader (object rows, type handlers): only its parser is cached.
                var plan = GetPlan(reader, BuildIdentityPlan);
                return new RowCursor<T>(plan.Parser ??= reader.GetRowParser<T>(), reader, null, null);
            case Kind.Tuple:
                return Project(GetPlan(reader, BuildTuplePlan), reader);
            default:
                var rowPlan = GetPlan(reader, BuildRowPlan);
                return rowPlan.Typed is { } typed ? new RowCursor<T>(typed, rowPlan) : Project(rowPlan, reader);
        }
    }

    /// <summary>Reads column <paramref name="ordinal"/> as <typeparamref name="T"/>; NULL gives <c>default</c>.</summary>
    public static ScalarParser<T> CreateScalar(NpgsqlDataReader reader, int ordinal) => ScalarParser<T>.Create(reader, ordinal);

    private static RowCursor<T> Project(Plan plan, NpgsqlDataReader reader)
    {
        var view = plan.Rent(reader);
        return new RowCursor<T>(plan.Parser ??= view.GetRowParser<T>(), view, plan, view);
    }

    private static Plan GetPlan(NpgsqlDataReader reader, Func<NpgsqlDataReader, Plan> build)
    {
        // Queries of one type nearly always return the same columns, so the last plan is tried first: the hot path then
        // allocates nothing. Other shapes (two queries reading one record with different columns) are kept too, up to
        // MaxPlans per type, so alternating shapes never rebuild (and recompile) a plan on every call.
        var last = lastPlan;
        if (last is not null && last.Matches(reader))
        {
            return last;
        }

        if (Find(Volatile.Read(ref plans), reader, skip: last) is { } known)
        {
            lastPlan = known;
            return known;
        }

        var plan = build(reader);
        Interlocked.Increment(ref plansBuilt);
        lock (PlansLock)
        {
            // Readers see an immutable array; the rare writer copies it. Past the bound, plans are replaced in turn.
            var current = plans;
            if (Find(current, reader, skip: null) is { } raced)
            {
                plan = raced;
            }
            else if (current.Length < MaxPlans)
            {
                Volatile.Write(ref plans, [.. current, plan]);
            }
            else
            {
                var next = (Plan[])current.Clone();
                next[nextVictim] = plan;
                nextVictim = (nextVictim + 1) % MaxPlans;
                Volatile.Write(ref plans, next);
            }
        }

        lastPlan = plan;
        return plan;
    }

    private static Plan? Find(Plan[] candidates, NpgsqlDataReader reader, Plan? skip)
    {
        foreach (var candidate in candidates)
        {
            if (!ReferenceEquals(candidate, skip) && candidate.Matches(reader))
            {
                return candidate;
            }
        }

        return null;
    }

    private static Plan BuildIdentityPlan(NpgsqlDataReader reader) => BuildPositionalPlan(reader, elementTypes: []);

    // Tuples map by position; only the element types matter (the first seven; a longer tuple's rest is left to Dapper).
    private static Plan BuildTuplePlan(NpgsqlDataReader reader) => BuildPositionalPlan(reader, typeof(T).GetGenericArguments());

    /// <summary>Every column in order, read as the given element type where there is one, else as its own field type.</summary>
    private static Plan BuildPositionalPlan(NpgsqlDataReader reader, Type[] elementTypes)
    {
        var count = reader.FieldCount;
        var typed = Math.Min(7, elementTypes.Length);
        var ordinals = new int[count];
        var names = new string[count];
        var targets = new Type[count];
        for (var i = 0; i < count; i++)
        {
            ordinals[i] = i;
            names[i] = reader.GetName(i);
            targets[i] = i < typed ? elementTypes[i] : reader.GetFieldType(i);
        }

        return new Plan(reader, ordinals, names, targets, positional: true);
    }

    private static Plan BuildRowPlan(NpgsqlDataReader reader)
    {
        var metadata = TypeMetadata.For(typeof(T));
        var count = reader.FieldCount;
        var columnOrdinals = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            columnOrdinals.TryAdd(reader.GetName(i), i);
        }

        var ordinals = new List<int>(count);
        var names = new List<string>(count);
        var targets = new List<Type>(count);
        ConstructorInfo? constructorUsed = null;
        if (metadata.Constructors.Length == 0)
        {
            // Settable properties: expose each mapped column under its property's name, in the reader's order.
            for (var i = 0; i < count; i++)
            {
                if (metadata.TryGetByColumn(reader.GetName(i), out var member) && columnOrdinals[member.Column] == i)
                {
                    ordinals.Add(i);
                    names.Add(member.MemberName);
                    targets.Add(member.Type);
                }
            }
        }
        else
        {
            // Constructor: Dapper matches a constructor only when the columns are exactly its parameters, in order, with
            // equal types. Expose exactly that, for the longest public constructor whose parameters all have a column.
            var constructor = metadata.Constructors.FirstOrDefault(c => c.Columns.All(columnOrdinals.ContainsKey));
            constructorUsed = constructor.Constructor;
            if (constructor.Constructor is null)
            {
                var wanted = string.Join(", ", metadata.Constructors[^1].Columns);
                throw new InvalidOperationException(
                    $"Cannot materialize {typeof(T).Name}: it has no public parameterless constructor and the result has no column for "
                    + $"every parameter of any public constructor (for example: {wanted}). Result columns: "
                    + string.Join(", ", Enumerable.Range(0, count).Select(reader.GetName)) + ".");
            }

            for (var p = 0; p < constructor.Parameters.Length; p++)
            {
                ordinals.Add(columnOrdinals[constructor.Columns[p]]);
                names.Add(constructor.Parameters[p].Name!);
                targets.Add(constructor.Parameters[p].ParameterType);
            }
        }

        var plan = new Plan(reader, [.. ordinals], [.. names], [.. targets]);
        plan.Typed = metadata.Constructors.Length == 0
            ? TypedMaterializer<T>.ForProperties(plan.Ordinals, plan.Names, plan.Adapters)
            : TypedMaterializer<T>.ForConstructor(constructorUsed!, plan.Ordinals, plan.Adapters);
        return plan;
    }

    /// <summary>
    /// How one result shape is presented to Dapper for <typeparamref name="T"/>; immutable apart from the lazily cached
    /// parser and the one spare view kept for reuse.
    /// </summary>
    [RequiresUnreferencedCode(Aot.Reflection)]
    [RequiresDynamicCode(Aot.DynamicCode)]
    internal sealed class Plan
    {
        private static readonly MethodInfo GetFieldValueMethod =
            typeof(NpgsqlDataReader).GetMethod(nameof(NpgsqlDataReader.GetFieldValue), [typeof(int)])!;

        private readonly string[] sourceNames;
        private readonly Type[] sourceTypes;
        private ProjectedReader? spare;

        private readonly bool positional;

        public Plan(NpgsqlDataReader reader, int[] ordinals, string[] names, Type[] targets, bool positional = false)
        {
            this.positional = positional;
            var count = reader.FieldCount;
            sourceNames = new string[count];
            sourceTypes = new Type[count];
            for (var i = 0; i < count; i++)
            {
                sourceNames[i] = reader.GetName(i);
                sourceTypes[i] = reader.GetFieldType(i);
            }

            Ordinals = ordinals;
            Names = names;
            Targets = targets;
            Types = new Type[ordinals.Length];
            Adapters = new Func<NpgsqlDataReader, int, object>?[ordinals.Length];
            for (var i = 0; i < ordinals.Length; i++)
            {
                var fieldType = sourceTypes[ordinals[i]];
                Adapters[i] = TypeKinds.HasDapperHandler(targets[i]) ? null : ColumnAdapters.For(targets[i], fieldType);
                Types[i] = Adapters[i] is null ? fieldType : Nullable.GetUnderlyingType(targets[i]) ?? targets[i];
            }
        }

        public int[] Ordinals { get; }

        public string[] Names { get; }

        /// <summary>Gets the type of the member (or tuple element) each exposed column is read into.</summary>
        public Type[] Targets { get; }

        public Type[] Types { get; }

        public Func<NpgsqlDataReader, int, object>?[] Adapters { get; }

        public Func<DbDataReader, T>? Parser { get; set; }

        /// <summary>Gets or sets the typed reader of this shape (see <see cref="TypedMaterializer{T}"/>); null when Dapper reads it.</summary>
        public Func<NpgsqlDataReader, T>? Typed { get; set; }

        /// <summary>A view over <paramref name="reader"/>: the spare one when no other query holds it, else a new one.</summary>
        public ProjectedReader Rent(NpgsqlDataReader reader)
        {
            var view = Interlocked.Exchange(ref spare, null) ?? new ProjectedReader(Ordinals, Names, Types, Adapters);
            view.Inner = reader;
            return view;
        }

        public void Return(ProjectedReader view)
        {
            view.Inner = null;
            Volatile.Write(ref spare, view);
        }

        /// <summary>
        /// After reading the current row failed: the error naming the column that does not convert (its name, ordinal and
        /// PostgreSQL type) and the member it was read into, found by reading each mapped column again on its own.
        /// </summary>
        /// <returns>The error, or <see langword="null"/> when every column reads on its own (the failure lies elsewhere).</returns>
        public DataException? DescribeFailure(NpgsqlDataReader reader)
        {
            for (var i = 0; i < Ordinals.Length; i++)
            {
                var ordinal = Ordinals[i];
                if (reader.IsDBNull(ordinal) || TypeKinds.HasDapperHandler(Targets[i]))
                {
                    continue; // NULL never fails (it gives the default); a type handler's failure is Dapper's to report.
                }

                try
                {
                    ReadColumn(reader, ordinal, Targets[i], Adapters[i]);
                }
                catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException)
                {
                    var member = positional ? $"{typeof(T).Name} element {i + 1}" : $"{typeof(T).Name}.{Names[i]}";
                    var target = Nullable.GetUnderlyingType(Targets[i]) is { } underlying ? underlying.FullName + "?" : Targets[i].FullName;

                    // The value itself stays out: it may be long or private. A FormatException's message quotes it, so that
                    // one is not kept as the inner exception either.
                    return new DataException(
                        $"Cannot read column {PgIdentifier.Display(reader.GetName(ordinal))} (ordinal {ordinal}, PostgreSQL type "
                        + $"{reader.GetDataTypeName(ordinal)}) into {member} ({target}).",
                        ex is FormatException ? null : ex);
                }
            }

            return null;
        }

        /// <summary>Reads the current row through Dapper: after the typed reader failed for a reason no column shows.</summary>
        public T ReadThroughDapper(NpgsqlDataReader reader)
        {
            var view = Rent(reader);
            try
            {
                return (Parser ??= view.GetRowParser<T>())(view);
            }
            finally
            {
                Return(view);
            }
        }

        // One column as the typed reader and the projection read it: typed when Npgsql reads it as the target, else
        // through the adapter, then cast to the target as the compiled reader does.
        private static void ReadColumn(NpgsqlDataReader reader, int ordinal, Type target, Func<NpgsqlDataReader, int, object>? adapter)
        {
            var underlying = Nullable.GetUnderlyingType(target) ?? target;
            if (underlying == typeof(object))
            {
                return;
            }

            var value = adapter is null || ColumnAdapters.ReadsFieldValue(adapter)
                ? GetFieldValueMethod.MakeGenericMethod(underlying).Invoke(reader, BindingFlags.DoNotWrapExceptions, null, [ordinal], null)
                : adapter(reader, ordinal);
            if (value is not null && !underlying.IsInstanceOfType(value))
            {
                throw new InvalidCastException($"A {value.GetType()} is not a {underlying}.");
            }
        }

        public bool Matches(NpgsqlDataReader reader)
        {
            if (reader.FieldCount != sourceNames.Length)
            {
                return false;
            }

            for (var i = 0; i < sourceNames.Length; i++)
            {
                if (!string.Equals(sourceNames[i], reader.GetName(i), StringComparison.Ordinal) || sourceTypes[i] != reader.GetFieldType(i))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>Reads one column as <typeparamref name="T"/> (NULL gives <c>default</c>); immutable, so shared between queries.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <remarks>No reflection beyond what <see cref="ColumnAdapters.For{T}"/> does safely, so the scalar helpers (<c>FetchValueAsync</c>, counts) stay unmarked for trimming and AOT.</remarks>
internal sealed class ScalarParser<T>(int ordinal, Type fieldType, Func<NpgsqlDataReader, int, object>? adapter)
{
    private static ScalarParser<T>? lastScalar;

    // Reading with the column's own type goes through GetFieldValue<T>, which does not box.
    private readonly bool exact = adapter is null && typeof(T) == fieldType;

    public int Ordinal { get; } = ordinal;

    public Type FieldType { get; } = fieldType;

    /// <summary>Reads column <paramref name="ordinal"/> as <typeparamref name="T"/>; NULL gives <c>default</c>.</summary>
    public static ScalarParser<T> Create(NpgsqlDataReader reader, int ordinal)
    {
        if (reader.FieldCount <= ordinal)
        {
            throw new InvalidOperationException("The query returned no column to read a value from.");
        }

        // A scalar query of one type nearly always returns the same column type: reuse the last parser when it fits.
        var fieldType = reader.GetFieldType(ordinal);
        var last = lastScalar;
        if (last is not null && last.Ordinal == ordinal && last.FieldType == fieldType)
        {
            return last;
        }

        var parser = new ScalarParser<T>(ordinal, fieldType, ColumnAdapters.For<T>(fieldType));
        lastScalar = parser;
        return parser;
    }

    public T Read(NpgsqlDataReader reader)
    {
        if (reader.IsDBNull(Ordinal))
        {
            return default!;
        }

        if (exact)
        {
            return reader.GetFieldValue<T>(Ordinal);
        }

        return adapter is null ? (T)reader.GetValue(Ordinal) : (T)adapter(reader, Ordinal);
    }
}

/// <summary>
/// Turns rows of one result into <typeparamref name="T"/>: a scalar parser, or Dapper's cached parser over the reader or
/// over a pooled <see cref="ProjectedReader"/> view. A struct, so creating one allocates nothing.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal struct RowCursor<T>
{
    private readonly RowReader<T>? custom;
    private readonly ScalarParser<T>? scalar;
    private readonly Func<NpgsqlDataReader, T>? typed;
    private readonly Func<DbDataReader, T>? parser;
    private readonly DbDataReader? source;
    private RowParsers<T>.Plan? plan;
    private ProjectedReader? view;

    public RowCursor(ScalarParser<T> scalar) => this.scalar = scalar;

    /// <summary>A cursor over an app's (or a generator's) own reader: no reflection, no plan.</summary>
    public RowCursor(RowReader<T> custom) => this.custom = custom;

    public RowCursor(Func<NpgsqlDataReader, T> typed, RowParsers<T>.Plan plan)
    {
        this.typed = typed;
        this.plan = plan;
    }

    public RowCursor(Func<DbDataReader, T> parser, DbDataReader source, RowParsers<T>.Plan? plan, ProjectedReader? view)
    {
        this.parser = parser;
        this.source = source;
        this.plan = plan;
        this.view = view;
    }

    public readonly bool IsCreated => custom is not null || scalar is not null || typed is not null || parser is not null;

    public readonly T Read(NpgsqlDataReader reader)
        => typed is not null ? ReadTyped(reader) : scalar is not null ? scalar.Read(reader) : custom is not null ? custom.Read(reader) : ReadParsed(reader);

    private readonly T ReadTyped(NpgsqlDataReader reader)
    {
        try
        {
            return typed!(reader);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            // A value that does not convert: name the column and the member. Should no single column fail, Dapper reads the row.
            if (plan!.DescribeFailure(reader) is { } error)
            {
                throw error;
            }

            return plan.ReadThroughDapper(reader);
        }
    }

    private readonly T ReadParsed(NpgsqlDataReader reader)
    {
        try
        {
            return parser!(source!);
        }
        catch (DataException) when (plan?.DescribeFailure(reader) is { } error)
        {
            // Dapper's own error names a column of the projection, not of the result: name the real one.
            throw error;
        }
    }

    /// <summary>Gives the view back to its plan for the next query; safe to call more than once.</summary>
    public void Release()
    {
        if (plan is not null && view is not null)
        {
            plan.Return(view);
        }

        plan = null;
        view = null;
    }
}
