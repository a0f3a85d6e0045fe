using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using NpgsqlTypes;

namespace PgKit.Mapping;

/// <summary>
/// Converts enum values to and from text labels the way Npgsql's <c>MapEnum</c> does by default: a member's
/// <see cref="PgNameAttribute"/>, else its name through the enum's naming convention (snake_case unless
/// <see cref="PgNamingAttribute"/> says otherwise). So rows written by PgKit and by a mapped data source agree.
/// </summary>
internal static class EnumLabels
{
    private static readonly ConcurrentDictionary<Type, Labels> Cache = new();

    public static string ToLabel(Enum value)
    {
        var labels = Cache.GetOrAdd(value.GetType(), static t => new Labels(t));
        return labels.ByValue.TryGetValue(value, out var label) ? label : value.ToString();
    }

    public static object Parse(Type enumType, string label)
    {
        var labels = Cache.GetOrAdd(enumType, static t => new Labels(t));
        if (labels.ByLabel.TryGetValue(label, out var value))
        {
            return value;
        }

        // Tolerate labels stored in the CLR spelling (for example by other tools writing Enum.ToString()).
        if (Enum.TryParse(enumType, label, ignoreCase: true, out var parsed) && !long.TryParse(label, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            return parsed!;
        }

        throw new InvalidCastException($"{PgIdentifier.Display(label)} is not a label of enum {enumType.Name}.");
    }

    private sealed class Labels
    {
        [UnconditionalSuppressMessage("Trimming", "IL2070", Justification =
            "An enum's named values are its public static fields, and trimming keeps every field of an enum type it keeps (Enum.ToString and Enum.GetNames read them too).")]
        public Labels(Type enumType)
        {
            var convention = Naming.ConventionOf(enumType);
            foreach (var field in enumType.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var value = (Enum)field.GetValue(null)!;
                var label = field.GetCustomAttribute<PgNameAttribute>()?.PgName ?? Naming.Apply(convention, field.Name);
                ByValue.TryAdd(value, label);
                ByLabel.TryAdd(label, value);
            }
        }

        public Dictionary<Enum, string> ByValue { get; } = [];

        public Dictionary<string, object> ByLabel { get; } = new(StringComparer.Ordinal);
    }
}
