using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Linq.Expressions;
using System.Reflection;
using Npgsql;
using PgKit.Sql;

namespace PgKit.Mapping;

/// <summary>
/// The cached column mapping of one CLR type: which properties map to which columns, which are keys, which are
/// generated, and, for types without a parameterless constructor, how constructor parameters map to columns.
/// Built once per type (reflection and expression compilation happen here, never on the hot path).
/// </summary>
[RequiresUnreferencedCode(Aot.Reflection)]
[RequiresDynamicCode(Aot.DynamicCode)]
internal sealed class TypeMetadata
{
    private static readonly ConcurrentDictionary<Type, TypeMetadata> Cache = new();

    private readonly Dictionary<string, MemberColumn> byColumn;

    private TypeMetadata(Type type)
    {
        Type = type;
        IsScalar = TypeKinds.IsScalar(type);
        Convention = Naming.ConventionOf(type);
        var columns = new List<MemberColumn>();
        byColumn = new Dictionary<string, MemberColumn>(StringComparer.Ordinal);
        var seenNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true }
                || property.IsDefined(typeof(NotMappedAttribute), inherit: true) || !seenNames.Add(property.Name))
            {
                continue;
            }

            var column = property.GetCustomAttribute<ColumnAttribute>(inherit: true)?.Name ?? Naming.Apply(Convention, property.Name);
            PgIdentifier.Validate(column, type.Name + "." + property.Name);
            var generated = property.GetCustomAttribute<DatabaseGeneratedAttribute>(inherit: true)?.DatabaseGeneratedOption;
            var getter = CompileGetter(type, property);
            var member = new MemberColumn
            {
                Column = column,
                MemberName = property.Name,
                Type = property.PropertyType,
                Getter = getter,
                Parameter = CompileParameter(type, property, column, getter),
                IsNull = CompileIsNull(type, property, getter),
                IsKey = property.IsDefined(typeof(KeyAttribute), inherit: true),
                IsGenerated = generated is DatabaseGeneratedOption.Identity or DatabaseGeneratedOption.Computed,
            };
            if (!byColumn.TryAdd(column, member))
            {
                throw new InvalidOperationException(
                    $"{type.Name}.{byColumn[column].MemberName} and {type.Name}.{property.Name} both map to column {PgIdentifier.Display(column)}; "
                    + "rename one with [Column] or exclude it with [NotMapped].");
            }

            columns.Add(member);
        }

        Columns = [.. columns];
        Writable = [.. columns.Where(c => !c.IsGenerated)];
        Keys = [.. columns.Where(c => c.IsKey)];
        Constructors = FindConstructors(type);
    }

    public Type Type { get; }

    /// <summary>Gets whether the type is a single value (a number, a string...), which cannot be a column map.</summary>
    public bool IsScalar { get; }

    public PgNamingConvention Convention { get; }

    /// <summary>Gets every mapped property, in declaration order.</summary>
    public MemberColumn[] Columns { get; }

    /// <summary>Gets the mapped properties that are written by inserts and updates (not <c>[DatabaseGenerated]</c>).</summary>
    public MemberColumn[] Writable { get; }

    /// <summary>Gets the <c>[Key]</c> properties.</summary>
    public MemberColumn[] Keys { get; }

    /// <summary>
    /// Gets the public constructors to materialize through, longest first, each with the column of every parameter;
    /// empty when the type has a public parameterless constructor (then properties are set instead).
    /// </summary>
    public (ConstructorInfo Constructor, ParameterInfo[] Parameters, string[] Columns)[] Constructors { get; }

    public static TypeMetadata For(Type type) => Cache.GetOrAdd(type, static t => new TypeMetadata(t));

    public bool TryGetByColumn(string column, out MemberColumn member) => byColumn.TryGetValue(column, out member!);

    private (ConstructorInfo, ParameterInfo[], string[])[] FindConstructors(Type type)
    {
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (type.IsValueType || constructors.Any(c => c.GetParameters().Length == 0))
        {
            return [];
        }

        return [.. constructors
            .Select(c =>
            {
                var parameters = c.GetParameters();
                var columns = parameters.Select(p =>
                {
                    // A record's positional parameter shares its name with the property, whose column may be renamed by [Column].
                    var property = Columns.FirstOrDefault(m => string.Equals(m.MemberName, p.Name, StringComparison.OrdinalIgnoreCase));
                    return property?.Column ?? Naming.Apply(Convention, p.Name ?? string.Empty);
                }).ToArray();
                return (c, parameters, columns);
            })
            .OrderByDescending(c => c.parameters.Length)];
    }

    private static Func<object, string, NpgsqlParameter> CompileParameter(Type type, PropertyInfo property, string column, Func<object, object?> getter)
    {
        var propertyType = property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(propertyType);
        if (ParameterFactory.IsTypedKind(underlying ?? propertyType))
        {
            // (instance, _) => ParameterFactory.Typed((T)instance.Property): no box between the property and the parameter.
            var instance = Expression.Parameter(typeof(object), "instance");
            var paramName = Expression.Parameter(typeof(string), "paramName");
            var value = Expression.Property(Expression.Convert(instance, type), property);
            var factory = underlying is null
                ? typeof(ParameterFactory).GetMethod(nameof(ParameterFactory.Typed))!.MakeGenericMethod(propertyType)
                : typeof(ParameterFactory).GetMethod(nameof(ParameterFactory.TypedNullable))!.MakeGenericMethod(underlying);
            var body = Expression.Call(factory, value);
            return Expression.Lambda<Func<object, string, NpgsqlParameter>>(body, instance, paramName).Compile();
        }

        return (instance, paramName) => ParameterFactory.ForColumn(getter(instance), column, paramName);
    }

    private static Func<object, bool>? CompileIsNull(Type type, PropertyInfo property, Func<object, object?> getter)
    {
        var propertyType = property.PropertyType;
        if (Nullable.GetUnderlyingType(propertyType) is not null)
        {
            // instance => !((T)instance).Property.HasValue, without boxing the value.
            var instance = Expression.Parameter(typeof(object), "instance");
            var value = Expression.Property(Expression.Convert(instance, type), property);
            var body = Expression.Not(Expression.Property(value, "HasValue"));
            return Expression.Lambda<Func<object, bool>>(body, instance).Compile();
        }

        // References are returned as they are (no box); DBNull counts as NULL, as in a parameter.
        return propertyType.IsValueType ? null : instance => getter(instance) is null or DBNull;
    }

    private static Func<object, object?> CompileGetter(Type type, PropertyInfo property)
    {
        var instance = Expression.Parameter(typeof(object), "instance");
        var body = Expression.Convert(Expression.Property(Expression.Convert(instance, type), property), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, instance).Compile();
    }
}
