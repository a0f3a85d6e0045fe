namespace PgKit;

/// <summary>How PgKit turns a .NET property name into a column name when no <c>[Column]</c> attribute names it.</summary>
public enum PgNamingConvention
{
    /// <summary>The default: <c>AuthorId</c> becomes <c>author_id</c> (Npgsql's snake_case translator, also used for enum labels).</summary>
    SnakeCase = 0,

    /// <summary>The property name is the column name, unchanged (and, as every PgKit identifier, quoted, so case matters).</summary>
    Exact = 1,
}
