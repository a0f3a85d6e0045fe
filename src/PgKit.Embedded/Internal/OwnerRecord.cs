using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PgKit.Embedded.Internal;

/// <summary>
/// Who started a server: the owning process (id and start time, so a reused pid is not mistaken for the owner).
/// Kept as a small JSON file beside the data. It names no program: whoever could write the file could otherwise
/// choose what the clean-up runs.
/// </summary>
internal sealed record OwnerRecord(int ProcessId, long ProcessStartTicks, bool Detached)
{
    public const string FileName = "owner.json";

    public static OwnerRecord ForCurrentProcess(bool detached)
    {
        using var self = Process.GetCurrentProcess();
        return new OwnerRecord(self.Id, self.StartTime.ToUniversalTime().Ticks, detached);
    }

    /// <summary>Whether the owning process is still running. A detached server has no owner and counts as owned.</summary>
    public bool OwnerIsAlive()
    {
        if (Detached)
        {
            return true;
        }

        if (!NativeMethods.ProcessExists(ProcessId))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(ProcessId);
            // Start times are derived from boot time and can differ by a few milliseconds between readers;
            // a reused pid would have started much later than the owner did.
            var difference = Math.Abs(process.StartTime.ToUniversalTime().Ticks - ProcessStartTicks);
            return difference < TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public bool IsCurrentProcess()
    {
        using var self = Process.GetCurrentProcess();
        return !Detached && ProcessId == self.Id;
    }

    public static OwnerRecord? Read(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(folder, FileName)), EmbeddedJson.Default.OwnerRecord);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, EmbeddedJson.Default.OwnerRecord));
        File.Move(temporary, path, overwrite: true);
    }
}
