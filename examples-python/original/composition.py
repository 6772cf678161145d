"""A composition driver written the original Cloudburst's way (after its benchmarks/composition.py).

Kept as such on purpose: tests/test_original_programs.py runs it unchanged against a node to show
that a program written for the original runs on this client. Do not adapt it to this client's
extensions (they would hide a compatibility break).

    python3 original/composition.py [HOST[:PORT]] [REQUESTS]
"""
import sys
import time

from cloudburst.client.client import CloudburstConnection
from cloudburst.shared.proto.cloudburst_pb2 import CloudburstError, DAG_ALREADY_EXISTS
from cloudburst.shared.reference import CloudburstReference


def run(cloudburst_client, num_requests):
    ''' DEFINE AND REGISTER FUNCTIONS '''
    def incr(cloudburst, x):
        return x + 1

    def square(cloudburst, x):
        return x * x

    cloud_incr = cloudburst_client.register(incr, 'incr')
    cloud_square = cloudburst_client.register(square, 'square')

    if cloud_incr and cloud_square:
        print('Successfully registered incr and square functions.')
    else:
        sys.exit(1)

    ''' TEST REGISTERED FUNCTIONS '''
    incr_test = cloud_incr(2).get()
    if incr_test != 3:
        print('Unexpected result from incr(2): %s' % (str(incr_test)))
        sys.exit(1)

    square_test = cloud_square(2).get()
    if square_test != 4:
        print('Unexpected result from square(2): %s' % (str(square_test)))
        sys.exit(1)

    chained = cloud_square(cloud_incr(2)).get()
    if chained != 9:
        print('Unexpected result from square(incr(2)): %s' % (str(chained)))
        sys.exit(1)

    print('Successfully tested functions!')

    ''' CREATE DAG '''
    dag_name = 'composition'

    functions = ['incr', 'square']
    connections = [('incr', 'square')]
    success, error = cloudburst_client.register_dag(dag_name, functions,
                                                    connections)

    if not success and error != DAG_ALREADY_EXISTS:
        print('Failed to register DAG: %s' % (CloudburstError.Name(error)))
        sys.exit(1)

    ''' RUN DAG '''
    cloudburst_client.put_object('composition-input', 4)
    arg_map = {'incr': [CloudburstReference('composition-input', True)]}

    total_time = []
    scheduler_time = []
    kvs_time = []

    for _ in range(num_requests):
        start = time.time()
        rid = cloudburst_client.call_dag(dag_name, arg_map)
        end = time.time()

        stime = end - start

        start = time.time()
        result = rid.get()
        end = time.time()

        if result != 25:
            print('Unexpected result from the DAG: %s' % (str(result)))
            sys.exit(1)

        ktime = end - start

        total_time += [stime + ktime]
        scheduler_time += [stime]
        kvs_time += [ktime]

    return total_time, scheduler_time, kvs_time, 0


if __name__ == '__main__':
    host = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1'
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    client = CloudburstConnection(host, '127.0.0.1', local=True)
    total, _, _, _ = run(client, requests)
    print('%d requests, median %.2f ms' % (len(total), 1000 * sorted(total)[len(total) // 2]))
