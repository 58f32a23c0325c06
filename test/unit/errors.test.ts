import { conflict, DomainError, notFound, validationFailed, whenNotFound } from '../../server/errors';

describe('whenNotFound', () => {
  const asFieldError = whenNotFound(() => validationFailed('请求参数不正确', [{ field: 'productId', message: '产品不存在' }]));

  it("turns a lookup's not_found into the replacement", async () => {
    await expect(Promise.reject(notFound('产品不存在')).catch(asFieldError)).rejects.toMatchObject({ kind: 'invalid', code: 'validation_failed' });
  });

  it('lets every other failure through as it is', async () => {
    const lost = new Error('Connection lost: The server closed the connection.');
    await expect(Promise.reject(lost).catch(asFieldError)).rejects.toBe(lost);
    const clash = conflict('记录已被修改');
    await expect(Promise.reject(clash).catch(asFieldError)).rejects.toBe(clash);
    expect(clash).toBeInstanceOf(DomainError);
  });
});
