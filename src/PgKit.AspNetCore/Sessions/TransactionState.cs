using System.Diagnostics;
using System.Globalization;

namespace PgKit.AspNetCore.Sessions;

/// <summary>Which transaction is open on a request session's connection.</summary>
internal enum OpenTransaction
{
    /// <summary>None: statements autocommit.</summary>
    None,

    /// <summary>The request transaction (<see cref="Atomic"/>, an atomic endpoint), completed by PgKit's filters before the response.</summary>
    Request,

    /// <summary>A transaction begun with <c>BeginAsync</c> while no transaction was open, completed by its scope.</summary>
    Explicit,
}

/// <summary>Where the request transaction of a request session is in its life.</summary>
internal enum RequestTransactionPhase
{
    /// <summary>Not begun yet: the first use of <see cref="Atomic"/> (or of <see cref="Db"/> on an atomic endpoint) begins it.</summary>
    NotStarted,

    /// <summary>Open.</summary>
    Active,

    /// <summary>Committed or rolled back: it cannot begin again in this request (unless the handler is retried).</summary>
    Ended,
}

/// <summary>
/// The transaction state of one request session, as one value with named transitions: what is open
/// (<see cref="Open"/>), where the request transaction is (<see cref="RequestPhase"/>), how deep the savepoints go and
/// which generation of transaction a <see cref="PgTransactionScope"/> belongs to. The transitions only change state;
/// the session does the I/O they call for.
/// </summary>
/// <remarks>A mutable struct held in a field of the session (no allocation per request): call its methods on the field, never on a copy.</remarks>
internal struct TransactionState
{
    private bool _requestEnded;
    private int _savepoints;

    /// <summary>Gets the open transaction (a real one, or a savepoint of a pinned test connection), or null.</summary>
    public SessionTransaction? Transaction { get; private set; }

    /// <summary>Gets which transaction is open.</summary>
    public OpenTransaction Open { get; private set; }

    /// <summary>Gets the savepoint depth of the open transaction: 1 for the transaction itself, one more per open savepoint scope.</summary>
    public int Depth { get; private set; }

    /// <summary>Gets the number of transactions that ended so far; a scope of an earlier one is no longer active.</summary>
    public int Generation { get; private set; }

    /// <summary>Gets where the request transaction is in its life.</summary>
    public readonly RequestTransactionPhase RequestPhase => Open == OpenTransaction.Request
        ? RequestTransactionPhase.Active
        : _requestEnded ? RequestTransactionPhase.Ended : RequestTransactionPhase.NotStarted;

    /// <summary>Gets a value indicating whether the request transaction is open.</summary>
    public readonly bool IsRequestActive => Open == OpenTransaction.Request;

    /// <summary>NotStarted → Active: the request transaction began.</summary>
    public void RequestBegan(SessionTransaction transaction)
    {
        Debug.Assert(Open == OpenTransaction.None && !_requestEnded, "the request transaction begins once, with nothing open");
        Transaction = transaction;
        Open = OpenTransaction.Request;
    }

    /// <summary>None → Explicit: a transaction began with <c>BeginAsync</c>.</summary>
    public void ExplicitBegan(SessionTransaction transaction)
    {
        Debug.Assert(Open == OpenTransaction.None, "an explicit transaction begins with nothing open");
        Transaction = transaction;
        Open = OpenTransaction.Explicit;
        Depth = 1;
    }

    /// <summary>Gets a name for the next savepoint (unique in the session).</summary>
    public string NextSavepointName() => "pgkit_sp_" + (++_savepoints).ToString(CultureInfo.InvariantCulture);

    /// <summary>A savepoint scope began inside the open transaction; returns its depth.</summary>
    public int SavepointCreated() => ++Depth;

    /// <summary>The savepoint scope of depth <paramref name="depth"/> ended (released or rolled back), and any deeper ones with it.</summary>
    public void SavepointEnded(int depth) => Depth = depth - 1;

    /// <summary>Gets a value indicating whether a scope begun at <paramref name="depth"/> in <paramref name="generation"/> is still open.</summary>
    public readonly bool IsScopeActive(int depth, int generation) =>
        Transaction is not null && generation == Generation && depth <= Depth;

    /// <summary>Active → Ended: returns the request transaction, for the caller to commit or roll back.</summary>
    public SessionTransaction EndRequest()
    {
        Debug.Assert(Open == OpenTransaction.Request, "only an active request transaction ends");
        _requestEnded = true;
        return End()!;
    }

    /// <summary>Explicit → None: returns the explicit transaction, for its scope to commit or roll back.</summary>
    public SessionTransaction EndExplicit()
    {
        Debug.Assert(Open == OpenTransaction.Explicit, "only an explicit transaction ends by its scope");
        return End()!;
    }

    /// <summary>
    /// The connection broke, and whatever was open died with it (an active request transaction is Ended).
    /// Returns true when that was the request transaction.
    /// </summary>
    public bool ConnectionLost()
    {
        var wasRequest = Open == OpenTransaction.Request;
        if (Transaction is not null)
        {
            _requestEnded |= wasRequest;
            End();
        }

        return wasRequest;
    }

    /// <summary>Before the handler runs again: returns whatever was open, to be rolled back, and lets the request transaction begin anew.</summary>
    public SessionTransaction? ResetForRetry()
    {
        var transaction = Transaction is null ? null : End();
        _requestEnded = false;
        return transaction;
    }

    /// <summary>The session ends: returns whatever is still open, to be rolled back (an active request transaction is Ended).</summary>
    public SessionTransaction? Abandon()
    {
        _requestEnded |= Open == OpenTransaction.Request;
        return Transaction is null ? null : End();
    }

    private SessionTransaction? End()
    {
        var transaction = Transaction;
        Transaction = null;
        Open = OpenTransaction.None;
        Depth = 0;
        Generation++;
        return transaction;
    }
}
