using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;

namespace PgKit.AspNetCore.Sessions;

/// <summary>
/// The request's sessions (a scoped service; a session joins when it opens its connection), so that the endpoint filter
/// and the MVC result filter can complete request transactions and return idle connections before the result is written.
/// </summary>
internal sealed class PgRequestScope
{
    private PgRequestSession? _first;
    private List<PgRequestSession>? _others;

    /// <summary>
    /// Gets or sets the request this scope belongs to, set by PgKit's endpoint filter and MVC filter before the handler
    /// runs: no IHttpContextAccessor, whose AsyncLocal and lost HttpContext pooling would cost every request of the app.
    /// Null in a scope created by hand (a background unit of work), which is then not the request's connection.
    /// </summary>
    public HttpContext? HttpContext { get; set; }

    public void Add(PgRequestSession session)
    {
        if (_first is null)
        {
            _first = session;
        }
        else
        {
            (_others ??= []).Add(session);
        }
    }

    public bool HasActiveAtomicTransaction
    {
        get
        {
            if (_first?.HasActiveAtomicTransaction == true)
            {
                return true;
            }

            return _others?.Exists(static session => session.HasActiveAtomicTransaction) == true;
        }
    }

    /// <summary>
    /// Commits (or rolls back) every active request transaction. When a commit fails, the remaining ones are rolled
    /// back and the first failure is rethrown. Databases are committed one after the other, not with two-phase commit.
    /// </summary>
    public async Task CompleteAsync(bool commit)
    {
        if (_first is null)
        {
            return;
        }

        ExceptionDispatchInfo? failure = null;
        foreach (var session in Sessions())
        {
            try
            {
                await session.CompleteAtomicAsync(commit && failure is null).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure ??= ExceptionDispatchInfo.Capture(ex);
            }
        }

        failure?.Throw();
    }

    /// <summary>Returns the connections that are not in a transaction to the pool (the handler or action has returned).</summary>
    public async Task ReleaseIdleAsync()
    {
        if (_first is not null)
        {
            await _first.ReleaseIfIdleAsync().ConfigureAwait(false);
        }

        if (_others is not null)
        {
            foreach (var session in _others)
            {
                await session.ReleaseIfIdleAsync().ConfigureAwait(false);
            }
        }
    }

    public async Task ResetForRetryAsync()
    {
        foreach (var session in Sessions())
        {
            await session.ResetForRetryAsync().ConfigureAwait(false);
        }
    }

    private IEnumerable<PgRequestSession> Sessions()
    {
        if (_first is not null)
        {
            yield return _first;
        }

        if (_others is not null)
        {
            foreach (var session in _others)
            {
                yield return session;
            }
        }
    }
}
