using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using Npgsql;

namespace PgKit.Mapping;

/// <summary>
/// Compiles, for one result shape already bound to <typeparamref name="T"/>'s constructor or properties, a delegate that
/// reads each column with <see cref="NpgsqlDataReader.GetFieldValue{T}(int)"/> of its own type: no boxed value per
/// column, which Dapper's parser (it reads through <c>GetValue</c>) cannot avoid.
/// </summary>
/// <remarks>
/// It only takes the shapes whose every column Npgsql reads directly as the target type; anything else (a Dapper type
/// handler, a member without a public setter) returns <see langword="null"/> and the row goes to Dapper as before.
/// The semantics are Dapper's: NULL gives the parameter's default, and leaves a property as its initializer set it.
/// </remarks>
/// <typeparam name="T">The row type.</typeparam>
[RequiresUnreferencedCode(Aot.Reflection)]
[RequiresDynamicCode(Aot.DynamicCode)]
internal static class TypedMaterializer<T>
{
    private static readonly MethodInfo IsDBNullMethod = typeof(NpgsqlDataReader).GetMethod(nameof(NpgsqlDataReader.IsDBNull), [typeof(int)])!;
    private static readonly MethodInfo GetFieldValueMethod = typeof(NpgsqlDataReader).GetMethod(nameof(NpgsqlDataReader.GetFieldValue), [typeof(int)])!;
    private static readonly MethodInfo GetValueMethod = typeof(NpgsqlDataReader).GetMethod(nameof(NpgsqlDataReader.GetValue), [typeof(int)])!;

    /// <summary>Builds the reader for <paramref name="constructor"/>'s parameters, column <paramref name="ordinals"/>[i] for parameter i.</summary>
    public static Func<NpgsqlDataReader, T>? ForConstructor(
        ConstructorInfo constructor, int[] ordinals, Func<NpgsqlDataReader, int, object>?[] adapters)
    {
        var reader = Expression.Parameter(typeof(NpgsqlDataReader), "reader");
        var parameters = constructor.GetParameters();
        var arguments = new Expression[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            if (Read(reader, ordinals[i], parameters[i].ParameterType, adapters[i]) is not { } value)
            {
                return null;
            }

            // NULL: the parameter's default, as Dapper passes it.
            arguments[i] = Expression.Condition(IsNull(reader, ordinals[i]), Expression.Default(value.Type), value);
        }

        return Expression.Lambda<Func<NpgsqlDataReader, T>>(Expression.New(constructor, arguments), reader).Compile();
    }

    /// <summary>Builds the reader that sets the named public properties of a new <typeparamref name="T"/>.</summary>
    public static Func<NpgsqlDataReader, T>? ForProperties(
        int[] ordinals, string[] memberNames, Func<NpgsqlDataReader, int, object>?[] adapters)
    {
        if (typeof(T).IsAbstract || typeof(T).GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }

        var reader = Expression.Parameter(typeof(NpgsqlDataReader), "reader");
        var row = Expression.Variable(typeof(T), "row");
        var body = new List<Expression> { Expression.Assign(row, Expression.New(typeof(T))) };
        for (var i = 0; i < ordinals.Length; i++)
        {
            if (WritableProperty(memberNames[i]) is not { } property
                || Read(reader, ordinals[i], property.PropertyType, adapters[i]) is not { } value)
            {
                return null;
            }

            // NULL: the property keeps what its initializer set, as Dapper leaves it.
            body.Add(Expression.IfThen(Expression.Not(IsNull(reader, ordinals[i])), Expression.Assign(Expression.Property(row, property), value)));
        }

        body.Add(row);
        return Expression.Lambda<Func<NpgsqlDataReader, T>>(Expression.Block([row], body), reader).Compile();
    }

    // A property hidden by another of the same name (`new`) is ambiguous: left to Dapper, as is one without a public setter.
    private static PropertyInfo? WritableProperty(string name)
    {
        var matches = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name == name).ToList();
        return matches is [{ CanWrite: true, SetMethod.IsPublic: true } property] ? property : null;
    }

    private static Expression IsNull(ParameterExpression reader, int ordinal) =>
        Expression.Call(reader, IsDBNullMethod, Expression.Constant(ordinal));

    // The column as `target`: read typed when Npgsql reads it as the target (or its underlying) type, else through the
    // plan's adapter (an enum or a numeric conversion); null when only Dapper knows how (a type handler).
    private static Expression? Read(ParameterExpression reader, int ordinal, Type target, Func<NpgsqlDataReader, int, object>? adapter)
    {
        if (TypeKinds.HasDapperHandler(target))
        {
            return null;
        }

        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        var column = Expression.Constant(ordinal);
        if (underlying == typeof(object))
        {
            return Expression.Convert(Expression.Call(reader, GetValueMethod, column), target);
        }

        Expression value = adapter is null || ColumnAdapters.ReadsFieldValue(adapter)
            ? Expression.Call(reader, GetFieldValueMethod.MakeGenericMethod(underlying), column)
            : Expression.Convert(Expression.Invoke(Expression.Constant(adapter), reader, column), underlying);
        return underlying == target ? value : Expression.Convert(value, target);
    }
}
