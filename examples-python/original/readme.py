"""The original Cloudburst README's session, as a program. Kept unchanged on purpose (see composition.py).

    python3 original/readme.py [HOST[:PORT]]
"""
import sys

from cloudburst.client.client import CloudburstConnection


def main(host):
    local_cloud = CloudburstConnection(host, '127.0.0.1', local=True)
    cloud_sq = local_cloud.register(lambda _, x: x * x, 'square')
    print(cloud_sq(2).get())
    local_cloud.register_dag('dag', ['square'], [])
    print(local_cloud.call_dag('dag', { 'square': [2] }).get())


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1')
