"""A scaling driver written the original Cloudburst's way (after its benchmarks/scaling.py).

Kept as such on purpose: tests/test_original_programs.py runs it unchanged against a node. The
first run creates the sleep function and the DAG (``create``); later runs call the DAG with
direct responses, the positional ``call_dag(name, args, True)`` of the original.

    python3 original/scaling.py [HOST[:PORT]] [REQUESTS]
"""
import logging
import sys
import time

from cloudburst.client.client import CloudburstConnection
from cloudburst.shared.proto.cloudburst_pb2 import CloudburstError


def run(cloudburst_client, num_requests, create):
    ''' DEFINE AND REGISTER FUNCTIONS '''
    dag_name = 'scaling'

    if create:
        def slp(cloudburst, x):
            import time
            time.sleep(.050)
            return x

        cloud_sleep = cloudburst_client.register(slp, 'sleep')

        if cloud_sleep:
            print('Successfully registered sleep function.')
        else:
            sys.exit(1)

        ''' TEST REGISTERED FUNCTIONS '''
        sleep_test = cloud_sleep(2).get()
        if sleep_test != 2:
            print('Unexpected result from sleep(2): %s' % (str(sleep_test)))
            sys.exit(1)
        print('Successfully tested functions!')

        ''' CREATE DAG '''
        functions = ['sleep']
        success, error = cloudburst_client.register_dag(dag_name, functions, [])

        if not success:
            print('Failed to register DAG: %s' % (CloudburstError.Name(error)))
            sys.exit(1)

        return [], 0
    else:
        ''' RUN DAG '''
        arg_map = {'sleep': [1]}

        total_time = []
        req_count = 0

        for _ in range(num_requests):
            start = time.time()
            res = cloudburst_client.call_dag(dag_name, arg_map, True)
            end = time.time()

            if res is not None:
                req_count += 1

            total_time += [end - start]

        logging.info('THROUGHPUT: %.2f' % (req_count / max(sum(total_time), 1e-9)))
        return total_time, req_count


if __name__ == '__main__':
    host = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1'
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    client = CloudburstConnection(host, '127.0.0.1', local=True)
    client.delete_dag('scaling')
    run(client, 0, True)
    total, count = run(client, requests, False)
    print('%d of %d requests answered, median %.2f ms' % (count, len(total), 1000 * sorted(total)[len(total) // 2]))
