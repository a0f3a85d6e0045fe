using System.Data.Common;
using Dapper;
using Npgsql;

namespace PgKit.Mapping;

/// <summary>Builds, for one result set, the function that turns the reader's current row into a <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The result type: a scalar, a value tuple, a record or a class.</typeparam>
internal static class RowParsers<T>
{
    private static readonly Kind TypeKind = typeof(T) == typeof(object) || TypeKinds.HasDapperHandler(typeof(T))
        ? Kind.Dapper
        : TypeKinds.IsScalar(typeof(T)) ? Kind.Scalar : TypeKinds.IsValueTuple(typeof(T)) ? Kind.Tuple : Kind.Row;

    private static Plan? lastPlan;

    private enum Kind
    {
        Scalar,
        Tuple,
        Row,
        Dapper,
    }

    public static Func<NpgsqlDataReader, T> Create(NpgsqlDataReader reader)
    {
        switch (TypeKind)
        {
            case Kind.Scalar:
                return CreateScalar(reader, 0);
            case Kind.Dapper:
                return Parse(reader, reader);
            case Kind.Tuple:
                return FromPlan(reader, BuildTuplePlan);
            default:
                return FromPlan(reader, BuildRowPlan);
        }
    }

    /// <summary>Reads column <paramref name="ordinal"/> as <typeparamref name="T"/>; NULL gives <c>default</c>.</summary>
    public static Func<NpgsqlDataReader, T> CreateScalar(NpgsqlDataReader reader, int ordinal)
    {
        if (reader.FieldCount <= ordinal)
        {
            throw new InvalidOperationException("The query returned no column to read a value from.");
        }

        var adapter = ColumnAdapters.For(typeof(T), reader.GetFieldType(ordinal));
        if (adapter is null)
        {
            return r => r.IsDBNull(ordinal) ? default! : (T)r.GetValue(ordinal);
        }

        return r => r.IsDBNull(ordinal) ? default! : (T)adapter(r, ordinal);
    }

    private static Func<NpgsqlDataReader, T> Parse(NpgsqlDataReader reader, DbDataReader view)
    {
        var parser = view.GetRowParser<T>();
        return _ => parser(view);
    }

    private static Func<NpgsqlDataReader, T> FromPlan(NpgsqlDataReader reader, Func<NpgsqlDataReader, Plan> build)
    {
        // Queries of one type nearly always return the same columns, so the last projection is kept and reused when the
        // reader's names and types match: the hot path then allocates only the view.
        var plan = lastPlan;
        if (plan is null || !plan.Matches(reader))
        {
            plan = build(reader);
            lastPlan = plan;
        }

        var view = new ProjectedReader(reader, plan.Ordinals, plan.Names, plan.Types, plan.Adapters);
        var parser = plan.Parser ??= view.GetRowParser<T>();
        return _ => parser(view);
    }

    private static Plan BuildTuplePlan(NpgsqlDataReader reader)
    {
        // Tuples map by position; only the element types matter (the first seven; a longer tuple's rest is left to Dapper).
        var elementTypes = typeof(T).GetGenericArguments();
        var count = reader.FieldCount;
        var ordinals = new int[count];
        var names = new string[count];
        var targets = new Type[count];
        for (var i = 0; i < count; i++)
        {
            ordinals[i] = i;
            names[i] = reader.GetName(i);
            targets[i] = i < Math.Min(7, elementTypes.Length) ? elementTypes[i] : reader.GetFieldType(i);
        }

        return new Plan(reader, ordinals, names, targets);
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

        return new Plan(reader, [.. ordinals], [.. names], [.. targets]);
    }

    /// <summary>How one result shape is presented to Dapper for <typeparamref name="T"/>; immutable apart from the lazily cached parser.</summary>
    private sealed class Plan
    {
        private readonly string[] sourceNames;
        private readonly Type[] sourceTypes;

        public Plan(NpgsqlDataReader reader, int[] ordinals, string[] names, Type[] targets)
        {
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

        public Type[] Types { get; }

        public Func<NpgsqlDataReader, int, object>?[] Adapters { get; }

        public Func<DbDataReader, T>? Parser { get; set; }

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
