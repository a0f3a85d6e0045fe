namespace PgKit;

/// <summary>What <c>UpsertAsync</c> does when the row conflicts with an existing one on the conflict columns.</summary>
public enum OnConflict
{
    /// <summary><c>ON CONFLICT (...) DO UPDATE SET col = EXCLUDED.col</c> for every non-conflict column; the updated row is returned.</summary>
    Update = 0,

    /// <summary><c>ON CONFLICT (...) DO NOTHING</c>; nothing is returned for a conflicting row.</summary>
    DoNothing = 1,
}
