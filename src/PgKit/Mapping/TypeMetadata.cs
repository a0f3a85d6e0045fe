using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Linq.Expressions;
using System.Reflection;

namespace PgKit.Mapping;

/// <summary>
/// The cached column mapping of one CLR type: which properties map to which columns, which are keys, which are
/// generated, and, for types without a parameterless constructor, how constructor parameters map to columns.
/// Built once per type (reflection and expression compilation happen here, never on the hot path).
/// </summary>
internal sealed class TypeMetadata
{
    private static readonly ConcurrentDictionary<Type, TypeMetadata> Cache = new();

    private readonly Dictionary<string, MemberColumn> byColumn;

    private TypeMetadata(Type type)
    {
        Type = type;
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
            var member = new MemberColumn
            {
                Column = column,
                MemberName = property.Name,
                Type = property.PropertyType,
                Getter = CompileGetter(type, property),
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

    private static Func<object, object?> CompileGetter(Type type, PropertyInfo property)
    {
        var instance = Expression.Parameter(typeof(object), "instance");
        var body = Expression.Convert(Expression.Property(Expression.Convert(instance, type), property), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, instance).Compile();
    }
}
