using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PgKit.Analyzers;

/// <summary>
/// One constant SQL statement passed to a parameter marked <c>[PgSql]</c>: its text, where it is, the PostgreSQL
/// types Npgsql would send for the arguments after it, and the row type of the call.
/// </summary>
internal sealed class FoundStatement
{
    public FoundStatement(string sql, Location location, ImmutableArray<ArgumentInfo>? arguments, ITypeSymbol? rowType)
    {
        Sql = sql;
        Location = location;
        Arguments = arguments;
        RowType = rowType;
    }

    public string Sql { get; }

    public Location Location { get; }

    /// <summary>Gets the arguments given for <c>$1..$n</c>, or <see langword="null"/> when their number is not known at build time.</summary>
    public ImmutableArray<ArgumentInfo>? Arguments { get; }

    /// <summary>Gets the method's type argument (the row or value type), or <see langword="null"/> for a method without one.</summary>
    public ITypeSymbol? RowType { get; }

    /// <summary>Gets the key of the argument types in <c>pgkit-sql.json</c>, or <see langword="null"/> when every type is left to the server.</summary>
    public string? ArgumentTypesKey
    {
        get
        {
            if (Arguments is not { } arguments || arguments.IsEmpty)
            {
                return null;
            }

            var any = false;
            var names = new string[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                names[i] = arguments[i].PgType ?? PgTypes.Unknown;
                any |= arguments[i].PgType is not null;
            }

            return any ? string.Join(",", names) : null;
        }
    }
}

/// <summary>One argument of a checked statement.</summary>
internal readonly struct ArgumentInfo
{
    public ArgumentInfo(ITypeSymbol? type, string? pgType, Location location)
    {
        Type = type;
        PgType = pgType;
        Location = location;
    }

    /// <summary>Gets the argument's C# type (<see langword="null"/> for a <c>null</c> literal).</summary>
    public ITypeSymbol? Type { get; }

    /// <summary>Gets the PostgreSQL type Npgsql sends the value as, or <see langword="null"/> when it is sent untyped or depends on the value.</summary>
    public string? PgType { get; }

    public Location Location { get; }
}
