namespace PgKit.Embedded.Internal;

/// <summary>
/// The OS account the PostgreSQL tools run as. initdb and postgres refuse to run as root, so a root process
/// runs them through <c>runuser</c> as an unprivileged account and hands that account the folders they write.
/// </summary>
internal sealed class ServerAccount
{
    private const string RunUser = "/usr/sbin/runuser";

    private readonly uint _uid;
    private readonly uint _gid;

    private ServerAccount(string userName, bool switchesUser, uint uid = 0, uint gid = 0)
    {
        UserName = userName;
        SwitchesUser = switchesUser;
        _uid = uid;
        _gid = gid;
    }

    /// <summary>The account name the server runs as.</summary>
    public string UserName { get; }

    /// <summary>The account's user id: the server account's when switching, else this process's effective user id.</summary>
    public uint Uid => SwitchesUser ? _uid : NativeMethods.EffectiveUserId;

    /// <summary>Whether commands are wrapped to run as another account (the process is root).</summary>
    public bool SwitchesUser { get; }

    public static ServerAccount Resolve(string unprivilegedUser)
    {
        if (!NativeMethods.IsRoot)
        {
            return new ServerAccount(Environment.UserName, switchesUser: false);
        }

        if (!File.Exists(RunUser))
        {
            throw new PostgresServerException(
                $"This process runs as root, and PostgreSQL refuses to run as root; switching to the '{unprivilegedUser}' account needs {RunUser} (package util-linux), which is missing. Install it, or run as an ordinary user.");
        }

        var ids = NativeMethods.LookUpAccount(unprivilegedUser)
            ?? throw new PostgresServerException(
                $"This process runs as root, and PostgreSQL refuses to run as root; the server would run as '{unprivilegedUser}', but there is no such account. Create it (Debian's postgresql package does: 'apt-get install postgresql'), or set {nameof(PostgresServerOptions)}.{nameof(PostgresServerOptions.OsUser)} to an existing unprivileged account.");
        if (ids.Uid == 0)
        {
            throw new PostgresServerException(
                $"{nameof(PostgresServerOptions)}.{nameof(PostgresServerOptions.OsUser)} is '{unprivilegedUser}', which is root (uid 0); PostgreSQL refuses to run as root. Name an unprivileged account.");
        }

        return new ServerAccount(unprivilegedUser, switchesUser: true, ids.Uid, ids.Gid);
    }

    /// <summary>Runs a PostgreSQL tool as the server account.</summary>
    public Task<ProcessResult> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (!SwitchesUser)
        {
            return ProcessRunner.RunAsync(tool, arguments, cancellationToken);
        }

        var wrapped = new List<string>(arguments.Count + 4) { "-u", UserName, "--", tool };
        wrapped.AddRange(arguments);
        return ProcessRunner.RunAsync(RunUser, wrapped, cancellationToken);
    }

    /// <summary>Creates a folder (and its parents) that the server account owns, private to it.</summary>
    public void CreateOwnedDirectory(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            Directory.CreateDirectory(path);
        }

        Give(path);
    }

    /// <summary>Hands a path to the server account (a no-op unless the process is root).</summary>
    public void Give(string path)
    {
        if (!SwitchesUser)
        {
            return;
        }

        var error = NativeMethods.ChangeOwner(path, _uid, _gid);
        if (error != 0)
        {
            throw new PostgresServerException(
                $"Could not give '{path}' to the '{UserName}' account, which the server runs as (errno {error}). Set {nameof(PostgresServerOptions)}.{nameof(PostgresServerOptions.OsUser)} to an existing unprivileged account.");
        }
    }
}
