using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Npgsql.NameTranslation;

namespace PgKit.Mapping;

/// <summary>Resolves the naming convention of a type (type attribute, then assembly attribute, then snake_case).</summary>
internal static class Naming
{
    private static readonly ConcurrentDictionary<Assembly, PgNamingConvention> AssemblyConventions = new();

    public static PgNamingConvention ConventionOf(Type type)
    {
        var onType = type.GetCustomAttribute<PgNamingAttribute>(inherit: true);
        if (onType is not null)
        {
            return onType.Convention;
        }

        return AssemblyConventions.GetOrAdd(
            type.Assembly,
            static a => a.GetCustomAttribute<PgNamingAttribute>()?.Convention ?? PgNamingConvention.SnakeCase);
    }

    public static string Apply(PgNamingConvention convention, string memberName) => convention switch
    {
        PgNamingConvention.Exact => memberName,
        _ => NpgsqlSnakeCaseNameTranslator.ConvertToSnakeCase(memberName, CultureInfo.InvariantCulture),
    };
}
