using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Text.Json;
using NpgsqlTypes;

namespace PgKit.Tests.Support;

public enum Mood
{
    Happy,
    VerySad,
    [PgName("meh")]
    SoSo,
}

/// <summary>A positional record: materialized through its constructor.</summary>
public sealed record Person(int Id, string Name, string? Email, int? Age);

/// <summary>A class with settable properties and attributes.</summary>
public sealed class PersonRow
{
    [Key]
    [DatabaseGenerated(DatabaseGeneratedOption.Identity)]
    public int Id { get; set; }

    [Column("name")]
    public string FullName { get; set; } = "";

    public string? Email { get; init; }

    public int? Age { get; set; }

    [NotMapped]
    public string Display => $"{FullName} <{Email}>";
}

/// <summary>Every type that must round-trip exactly.</summary>
public sealed record Everything(
    int Id,
    int? I,
    long? L,
    decimal? D,
    double? F,
    bool? B,
    string? S,
    int[]? Ints,
    string[]? Strs,
    string? Js,
    JsonDocument? Jb,
    Mood? MoodText,
    Mood? MoodEnum,
    DateTimeOffset? At,
    DateTime? AtUtc,
    DateTime? Ts,
    Guid? U,
    byte[]? Bytes,
    DateOnly? Day);

public static class Schemas
{
    public const string People = "id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, age int CHECK (age >= 0)";

    public const string Everything = """
        id serial PRIMARY KEY, i int, l bigint, d numeric(38,10), f double precision, b boolean, s text,
        ints int[], strs text[], js json, jb jsonb, mood_text text, mood_enum mood, at timestamptz, at_utc timestamptz,
        ts timestamp, u uuid, bytes bytea, day date
        """;
}
