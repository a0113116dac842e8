// `db.collection(name)` and `db.startTransaction()` of the MPServerless client: each command's
// arguments become JSON text for the core, each reply the official result shape.
import { mpError } from '../errors.js';
import { toJson, decodeBody, reviveDates } from './codec.js';

/** db commands and the names of their positional arguments, which precede `options`. */
const DB_ARGS = {
  find: 'query', findOne: 'query', count: 'query', distinct: 'key query', aggregate: 'pipeline', insertOne: 'doc',
  insertMany: 'docs', updateOne: 'filter update', updateMany: 'filter update', replaceOne: 'filter doc',
  findOneAndUpdate: 'filter update', findOneAndReplace: 'filter replacement', findOneAndDelete: 'filter',
  deleteOne: 'filter', deleteMany: 'filter',
};

function dbResult(reply) {
  return reviveDates(decodeBody(reply.body));
}

/** `db.collection(name)`: every command of the reference; inside a transaction when `tx` is given. */
export function makeCollection(owner, name, tx) {
  const coll = {};
  for (const command of Object.keys(DB_ARGS)) {
    const names = DB_ARGS[command].split(' ');
    coll[command] = function () {
      const a = arguments;
      return owner._call(async (core) => {
        if (tx) tx._checkOpen();
        const args = names.map((field, i) => toJson(field, a[i]));
        const options = toJson('options', a[names.length]);
        return dbResult(await core.call('db', [name, tx ? tx.id : undefined, command, options].concat(args)));
      });
    };
  }
  return coll;
}

/** A transaction (3.x `db.startTransaction()`): collection ops carry its id; commit or rollback once. */
export class Transaction {
  constructor(owner, id) {
    this._owner = owner;
    this.id = id;
    this.status = 'init';
    this._collection = undefined;
  }

  collection(name) {
    this._collection = name;
    return makeCollection(this._owner, name, this);
  }

  _checkOpen() {
    if (this.status === 'commit' || this.status === 'rollback') {
      throw mpError('TransactionError', 'validation', 'transaction already ' + this.status, { sdkCode: 'INVALID_ARGUMENT' });
    }
  }

  _finish(status, command) {
    return this._owner._call(async (core) => {
      this._checkOpen();
      this.status = status;
      return dbResult(await core.call('db', [this._collection, this.id, command]));
    });
  }

  commit() {
    return this._finish('commit', 'commitTransaction');
  }

  rollback() {
    return this._finish('rollback', 'abortTransaction');
  }
}
