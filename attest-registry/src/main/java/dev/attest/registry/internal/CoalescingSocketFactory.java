package dev.attest.registry.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Plain sockets whose output is buffered up to {@link #BUFFER} bytes until OkHttp flushes.
 *
 * <p>okio hands a socket one {@code write} per 8 KiB segment, so a streamed 1 GiB upload costs
 * 131,072 {@code send(2)} calls, each with a copy into a temporary native buffer; over loopback
 * (the embedded registry) that was a large part of the upload thread's 1.0–1.1 s of system time
 * per GiB. Here the segments are gathered into 128 KiB writes. OkHttp flushes at the end of every request (and TLS
 * flushes every record it sends on a layered socket), so nothing waits in the buffer; okio's
 * write timeout still covers the socket writes, which now happen inside its buffered writes and
 * flushes.
 */
public final class CoalescingSocketFactory extends SocketFactory {
  /** Bytes gathered per socket write; one such buffer per open connection. */
  public static final int BUFFER = 128 * 1024;

  @Override
  public Socket createSocket() {
    return new CoalescingSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private static Socket connected(InetSocketAddress to, @Nullable InetSocketAddress from) throws IOException {
    Socket s = new CoalescingSocket();
    try {
      if (from != null) {
        s.bind(from);
      }
      s.connect(to);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** Buffers {@code out}: writes reach it in pieces of {@link #BUFFER} bytes, or on flush. */
  static OutputStream coalescing(OutputStream out) {
    return new BufferedOutputStream(out, BUFFER);
  }

  private static final class CoalescingSocket extends Socket {
    private @Nullable OutputStream out;

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
      OutputStream o = out;
      if (o == null) {
        o = coalescing(super.getOutputStream());
        out = o;
      }
      return o;
    }
  }
}
