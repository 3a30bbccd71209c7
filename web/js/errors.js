// One error type for everything the views show: the API's
// {"error": {"code", "message", "field"}}, Cognito's {"__type", "message"},
// network failures and client-side checks.
export class AppError extends Error {
  constructor(message, { status = 0, code = 'error', field = '' } = {}) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}
