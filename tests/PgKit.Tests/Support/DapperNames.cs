using System.Data;
using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Npgsql;

namespace PgKit.Tests.Support;

/// <summary>
/// Compares PgKit's extension methods with Dapper's: with <c>using Dapper;</c> and <c>using PgKit;</c> in one file, a
/// shared name lets the shape of the arguments pick the library (and its parameter syntax). Shared by PgKit.Tests and
/// PgKit.AspNetCore.Tests (linked), each scanning the PgKit assemblies it references.
/// </summary>
internal static class DapperNames
{
    /// <summary>The receivers users call helpers on; PgKit types implementing <see cref="IPgSession"/> are added.</summary>
    public static readonly Type[] BaseReceivers = [typeof(NpgsqlConnection), typeof(DbConnection), typeof(IDbConnection), typeof(IPgSession)];

    /// <summary>Every public static extension method of Dapper's <c>SqlMapper</c> (sync and async), by name.</summary>
    public static HashSet<string> SqlMapperExtensionNames() =>
        [.. typeof(Dapper.SqlMapper).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.IsDefined(typeof(ExtensionAttribute), inherit: false))
            .Select(m => m.Name)];

    /// <summary>The PgKit extension methods callable on one of the receivers whose name Dapper's SqlMapper also uses.</summary>
    public static List<string> Clashes(IEnumerable<Assembly> pgkit)
    {
        var assemblies = pgkit.Distinct().ToArray();
        var receivers = BaseReceivers
            .Concat(assemblies.SelectMany(a => a.GetExportedTypes()).Where(t => !t.IsInterface && typeof(IPgSession).IsAssignableFrom(t)))
            .ToArray();
        var dapper = SqlMapperExtensionNames();
        return
        [
            .. assemblies.SelectMany(a => a.GetExportedTypes())
                .Where(t => t.IsAbstract && t.IsSealed)
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
                .Where(m => m.IsDefined(typeof(ExtensionAttribute), inherit: false))
                .Where(m => receivers.Any(r => Accepts(m.GetParameters()[0].ParameterType, r)))
                .Where(m => dapper.Contains(m.Name))
                .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}(this {m.GetParameters()[0].ParameterType.Name})")
                .Distinct()
                .Order(StringComparer.Ordinal),
        ];
    }

    /// <summary>PgKit types that implement <see cref="IPgSession"/> in <paramref name="pgkit"/> (to show the scan sees them).</summary>
    public static IEnumerable<Type> Sessions(IEnumerable<Assembly> pgkit) =>
        pgkit.SelectMany(a => a.GetExportedTypes()).Where(t => !t.IsInterface && typeof(IPgSession).IsAssignableFrom(t));

    // A generic receiver (this T value) applies when the receiver meets its constraints.
    private static bool Accepts(Type parameter, Type receiver) => parameter.IsGenericParameter
        ? parameter.GetGenericParameterConstraints().All(c => !c.ContainsGenericParameters && c.IsAssignableFrom(receiver))
        : parameter.IsAssignableFrom(receiver);
}
