import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, parseProblem } from '../api/problem';
import { ErrorPanel } from './Feedback';

describe('ErrorPanel', () => {
  it('renders a problem document as headline, explanation and what to do', () => {
    const error = new ApiError(
      'problem',
      422,
      parseProblem(
        {
          type: 'https://contoso-shop.example/problems/validation-failed',
          title: 'Validation failed',
          status: 422,
          errors: [
            {
              field: 'customer.phone',
              pointer: '/customer/phone',
              message: 'must be an E.164 number such as +447700900123',
            },
          ],
        },
        422,
      ),
      'invalid',
    );
    render(<ErrorPanel error={error} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Some details need correcting');
    expect(alert).toHaveTextContent('customer.phone: must be an E.164 number such as +447700900123');
    expect(alert).toHaveTextContent('Correct the highlighted fields and submit again.');
  });

  it('offers a retry button that calls back', async () => {
    const retry = vi.fn();
    render(<ErrorPanel error={new ApiError('timeout', undefined, undefined, 'slow')} onRetry={retry} />);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledOnce();
  });

  it('explains an error that is not from the API', () => {
    render(<ErrorPanel error={new Error('boom')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Something went wrong');
  });
});
