using System.Diagnostics.CodeAnalysis;
using System.Collections;
using System.Data.Common;
using Npgsql;

namespace PgKit.Mapping;

/// <summary>
/// A view of the current row of an <see cref="NpgsqlDataReader"/> that Dapper's row parser reads instead of the real
/// reader. It renames columns to the target's member names (so snake_case columns meet PascalCase properties and
/// record constructor parameters without touching Dapper's global type maps), selects and orders the columns a
/// constructor needs, and converts values Dapper cannot (see <see cref="ColumnAdapters"/>).
/// </summary>
/// <remarks>Every member reads <see cref="Inner"/>, which is set while the view is rented by a query.</remarks>
internal sealed class ProjectedReader : DbDataReader
{
    private readonly int[] ordinals;
    private readonly string[] names;
    private readonly Type[] types;
    private readonly Func<NpgsqlDataReader, int, object>?[] adapters;

    public ProjectedReader(int[] ordinals, string[] names, Type[] types, Func<NpgsqlDataReader, int, object>?[] adapters)
    {
        this.ordinals = ordinals;
        this.names = names;
        this.types = types;
        this.adapters = adapters;
    }

    /// <summary>Gets or sets the reader this view reads; views are reused from query to query (see RowParsers).</summary>
    public NpgsqlDataReader? Inner { get; set; }

    public override int FieldCount => ordinals.Length;

    public override int Depth => Inner!.Depth;

    public override bool HasRows => Inner!.HasRows;

    public override bool IsClosed => Inner!.IsClosed;

    public override int RecordsAffected => Inner!.RecordsAffected;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override object GetValue(int ordinal)
    {
        var source = ordinals[ordinal];
        if (Inner!.IsDBNull(source))
        {
            return DBNull.Value;
        }

        var adapter = adapters[ordinal];
        return adapter is null ? Inner!.GetValue(source) : adapter(Inner!, source);
    }

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, ordinals.Length);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    public override T GetFieldValue<T>(int ordinal)
        => adapters[ordinal] is null ? Inner!.GetFieldValue<T>(ordinals[ordinal]) : (T)GetValue(ordinal);

    public override bool IsDBNull(int ordinal) => Inner!.IsDBNull(ordinals[ordinal]);

    public override string GetName(int ordinal) => names[ordinal];

    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new IndexOutOfRangeException($"No column named {PgIdentifier.Display(name)}.");
    }

    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.PublicProperties)]
    [UnconditionalSuppressMessage("Trimming", "IL2063", Justification = "Only Dapper's row parser reads this view, on the reflection-based path that is marked [RequiresUnreferencedCode] where the app calls it.")]
    public override Type GetFieldType(int ordinal) => types[ordinal];

    public override string GetDataTypeName(int ordinal) => Inner!.GetDataTypeName(ordinals[ordinal]);

    public override bool GetBoolean(int ordinal) => GetFieldValue<bool>(ordinal);

    public override byte GetByte(int ordinal) => GetFieldValue<byte>(ordinal);

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
        => Inner!.GetBytes(ordinals[ordinal], dataOffset, buffer, bufferOffset, length);

    public override char GetChar(int ordinal) => GetFieldValue<char>(ordinal);

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
        => Inner!.GetChars(ordinals[ordinal], dataOffset, buffer, bufferOffset, length);

    public override DateTime GetDateTime(int ordinal) => GetFieldValue<DateTime>(ordinal);

    public override decimal GetDecimal(int ordinal) => GetFieldValue<decimal>(ordinal);

    public override double GetDouble(int ordinal) => GetFieldValue<double>(ordinal);

    public override float GetFloat(int ordinal) => GetFieldValue<float>(ordinal);

    public override Guid GetGuid(int ordinal) => GetFieldValue<Guid>(ordinal);

    public override short GetInt16(int ordinal) => GetFieldValue<short>(ordinal);

    public override int GetInt32(int ordinal) => GetFieldValue<int>(ordinal);

    public override long GetInt64(int ordinal) => GetFieldValue<long>(ordinal);

    public override string GetString(int ordinal) => GetFieldValue<string>(ordinal);

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    // The projection is a view of one row: PgKit advances the underlying reader itself.
    public override bool NextResult() => throw new NotSupportedException();

    public override bool Read() => throw new NotSupportedException();
}
