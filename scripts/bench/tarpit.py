#!/usr/bin/env python3
"""A tarpit decoy for the identification benchmark: accepts every connection and never sends a byte.

Whatever a client sends is read and dropped, so the client's writes never block and only its own read deadline
ends the conversation. Connections are closed when the client closes them or when the tarpit is stopped.

Usage: tarpit.py HOST PORT   (loopback addresses only)
"""

import asyncio
import ipaddress
import sys


async def swallow(reader, writer):
    try:
        while await reader.read(65536):
            pass
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(host, port):
    server = await asyncio.start_server(swallow, host, port, reuse_address=True, backlog=1024)
    print(f"tarpit listening on {host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if not ipaddress.ip_address(sys.argv[1]).is_loopback:
        sys.exit("tarpit.py: loopback addresses only")
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
