using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using NpgsqlTypes;

namespace PgKit.AspNetCore.Hosting;

/// <summary>What a request's read-your-writes token says.</summary>
internal enum WalTokenState
{
    /// <summary>No token: the client committed nothing lately, any standby will do.</summary>
    None,

    /// <summary>A valid token: read from a standby that has replayed this far.</summary>
    Valid,

    /// <summary>A token that does not verify (forged, from another key ring, expired): read from the primary, without waiting.</summary>
    Invalid,
}

/// <summary>
/// Issues and reads the read-your-writes tokens of one database: the WAL position of a client's last commit, signed
/// (ASP.NET Core Data Protection, time-limited), in the <c>PgKit-Wal-Position</c> response header and cookie. A token
/// that does not verify sends the read to the primary at once, so a forged far-future position can neither make a
/// standby read wait nor hold a standby connection: the wait is only ever for a position this app issued.
/// </summary>
internal sealed class ReadYourWrites
{
    /// <summary>The header (response and request) and, with the database suffix, cookie name.</summary>
    public const string HeaderName = "PgKit-Wal-Position";

    // A standby that is this far behind is broken, not lagging; past it the token is void and reads go anywhere.
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ITimeLimitedDataProtector _protector;
    private readonly string _cookieName;

    public ReadYourWrites(string database, IDataProtectionProvider? provider, TimeSpan wait)
    {
        // Without the app's Data Protection (whose key ring several instances share), tokens verify only on this instance:
        // another instance sends those reads to the primary, which is safe, only slower.
        _protector = (provider ?? new EphemeralDataProtectionProvider()).CreateProtector("PgKit.ReadYourWrites", database).ToTimeLimitedDataProtector();
        _cookieName = database == PostgresOptions.DefaultName ? HeaderName : HeaderName + "-" + database;
        Wait = wait;
    }

    /// <summary>Gets how long a standby read waits for the standby to catch up.</summary>
    public TimeSpan Wait { get; }

    /// <summary>Puts the commit's position on the response, unless it has started already.</summary>
    public void Issue(HttpContext context, NpgsqlLogSequenceNumber position)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var token = _protector.Protect(((ulong)position).ToString(CultureInfo.InvariantCulture), Lifetime);
        context.Response.Headers[HeaderName] = token;
        context.Response.Cookies.Append(_cookieName, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            MaxAge = Lifetime,
            IsEssential = true,
        });
    }

    /// <summary>Reads the request's token (header first, then cookie).</summary>
    public WalTokenState Read(HttpContext? context, out NpgsqlLogSequenceNumber position)
    {
        position = default;
        if (context is null)
        {
            return WalTokenState.None;
        }

        string? token = context.Request.Headers[HeaderName];
        if (string.IsNullOrEmpty(token) && !context.Request.Cookies.TryGetValue(_cookieName, out token))
        {
            return WalTokenState.None;
        }

        if (string.IsNullOrEmpty(token))
        {
            return WalTokenState.None;
        }

        try
        {
            var text = _protector.Unprotect(token);
            if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                position = new NpgsqlLogSequenceNumber(value);
                return WalTokenState.Valid;
            }
        }
        catch (CryptographicException)
        {
            // Forged, tampered with, expired or signed by a key this instance does not have.
        }

        return WalTokenState.Invalid;
    }
}
