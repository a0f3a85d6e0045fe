using System.Net;
using System.Net.Sockets;

namespace PgKit.Embedded.Internal;

/// <summary>Finds TCP ports on 127.0.0.1 that nothing listens on.</summary>
internal static class PortFinder
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
