namespace PgKit.AspNetCore.Hosting;

/// <summary>
/// The links a <see cref="ActiveSessionTracker"/> keeps in each tracked item, so that tracking a request allocates
/// nothing (an intrusive list): the request session derives from it. Only the tracker reads or writes them, under its lock.
/// </summary>
internal abstract class TrackedSession
{
    /// <summary>Gets or sets the previous item of the tracker's list.</summary>
    internal TrackedSession? TrackedPrevious { get; set; }

    /// <summary>Gets or sets the next item of the tracker's list.</summary>
    internal TrackedSession? TrackedNext { get; set; }

    /// <summary>Gets or sets the backend process of the connection held, for cancelling its statement at shutdown.</summary>
    internal int TrackedProcessId { get; set; }

    /// <summary>Gets or sets a value indicating whether the item is in the list.</summary>
    internal bool IsTracked { get; set; }
}

/// <summary>
/// The request sessions of one database that hold a connection right now: their count (for the shutdown wait and the
/// tests) and their backends (for cancelling what is still running when that wait is over).
/// </summary>
internal sealed class ActiveSessionTracker
{
    private readonly Lock _gate = new();
    private TrackedSession? _head;
    private int _count;

    /// <summary>Gets the number of sessions holding a connection.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records that <paramref name="session"/> holds a connection to backend <paramref name="processId"/> (idempotent).</summary>
    public void Track(TrackedSession session, int processId)
    {
        lock (_gate)
        {
            session.TrackedProcessId = processId;
            if (session.IsTracked)
            {
                return;
            }

            session.IsTracked = true;
            session.TrackedPrevious = null;
            session.TrackedNext = _head;
            if (_head is not null)
            {
                _head.TrackedPrevious = session;
            }

            _head = session;
            _count++;
        }
    }

    /// <summary>Records that <paramref name="session"/> no longer holds a connection (idempotent).</summary>
    public void Untrack(TrackedSession session)
    {
        lock (_gate)
        {
            if (!session.IsTracked)
            {
                return;
            }

            if (session.TrackedPrevious is { } previous)
            {
                previous.TrackedNext = session.TrackedNext;
            }
            else
            {
                _head = session.TrackedNext;
            }

            if (session.TrackedNext is { } next)
            {
                next.TrackedPrevious = session.TrackedPrevious;
            }

            session.IsTracked = false;
            session.TrackedPrevious = null;
            session.TrackedNext = null;
            _count--;
        }
    }

    /// <summary>Gets the distinct backends of the sessions holding a connection.</summary>
    public int[] ProcessIds()
    {
        var ids = new HashSet<int>();
        lock (_gate)
        {
            for (var session = _head; session is not null; session = session.TrackedNext)
            {
                ids.Add(session.TrackedProcessId);
            }
        }

        return [.. ids];
    }
}
